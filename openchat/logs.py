"""The server's log lines: time, level, logger and message, and nothing else.

For every record, the logging module otherwise looks up the caller's frame (walking the
stack), the thread, the process and the multiprocessing name. These lines show none of them,
and the lookups were a third of what the INFO lines of each answer cost
(`make bench-instructions`).
"""

from __future__ import annotations

import logging

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    """Log to standard error at `level`, in LOG_FORMAT."""
    logging._srcfile = None  # no caller lookup: the format has no file, line or function
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging.basicConfig(level=level.upper(), format=LOG_FORMAT)
