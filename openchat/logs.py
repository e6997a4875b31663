"""The server's log lines: time, level, logger and message, and nothing else.

For every record, the logging module otherwise looks up the caller's frame (walking the
stack), the thread, the process and the multiprocessing name. These lines show none of them,
and the lookups were a third of what the INFO lines of each answer cost
(`make bench-instructions`).
"""

from __future__ import annotations

import logging

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LINE_BREAKS = str.maketrans({"\n": "\\n", "\r": "\\r"})


class OneLineFormatter(logging.Formatter):
    """LOG_FORMAT with a message's line breaks written as `\\n` and `\\r`: a record is one
    line, whatever text from a request (a path, a name) its message holds, so none can pass
    for a line of its own. A traceback, added after the message, keeps its lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        if "\n" in line or "\r" in line:  # rare, and translate reads every character
            line = line.translate(LINE_BREAKS)
        return line


def configure_logging(level: str) -> None:
    """Log to standard error at `level`, one line a record (OneLineFormatter)."""
    logging._srcfile = None  # no caller lookup: the format has no file, line or function
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter(LOG_FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler])
