"""The server's log: one line a record, whatever a message holds."""

import io
import logging

from openchat.logs import LOG_FORMAT, OneLineFormatter


def _logger(stream: io.StringIO) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(OneLineFormatter(LOG_FORMAT))
    logger = logging.getLogger(f"test-one-line-{id(stream)}")
    logger.propagate = False
    logger.addHandler(handler)
    return logger


def test_a_line_break_in_a_message_cannot_forge_a_line():
    stream = io.StringIO()
    _logger(stream).warning(
        "Created conversation with model %s", "m\n2026-11-27 05:00:00,000 CRITICAL x: forged\r"
    )
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith("with model m\\n2026-11-27 05:00:00,000 CRITICAL x: forged\\r")


def test_a_traceback_keeps_its_lines():
    stream = io.StringIO()
    try:
        raise ValueError("boom")
    except ValueError:
        _logger(stream).exception("Failed on %s", "/a\nb")
    first, *trace = stream.getvalue().splitlines()
    assert first.endswith("Failed on /a\\nb")
    assert trace[0] == "Traceback (most recent call last):" and trace[-1] == "ValueError: boom"
