"""A small incremental Server-Sent Events parser for upstream streams.

It follows the SSE rules that matter here: LF, CRLF or CR line endings,
comment lines (`: OPENROUTER PROCESSING`) skipped, multi-line `data:` joined,
and a final event flushed at end of stream even without a blank line. The
legacy llama.cpp `error:` field is surfaced as data, since it carries the error.

On the per-read path, `find` tests for a byte: on Python 3.11, `bytes in bytes` first tries
the operand as an int and builds a TypeError to discard, which costs several times the search.
"""

from __future__ import annotations


class SseParser:
    """Feed bytes in, get complete `data` payloads out."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, chunk: bytes) -> list[bytes]:
        if (  # the common read: one whole event of one `data:` line, nothing before it
            not self._buffer
            and chunk.startswith(b"data: ")
            and chunk.find(b"\n") == len(chunk) - 2
            and chunk.endswith(b"\n\n")
            and chunk.find(b"\r") < 0
        ):
            return [chunk[6:-2]]
        buffer = self._buffer + chunk
        if buffer.find(b"\r") >= 0:
            # Keep a trailing CR: it may be the first half of a CRLF split across reads.
            tail = b"\r" if buffer.endswith(b"\r") else b""
            body = buffer[:-1] if tail else buffer
            buffer = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n") + tail
        *events, self._buffer = buffer.split(b"\n\n")
        return [data for event in events if (data := _event_data(event)) is not None]

    def close(self) -> list[bytes]:
        rest, self._buffer = self._buffer.replace(b"\r", b"\n"), b""
        data = _event_data(rest.strip(b"\n"))
        return [data] if data is not None else []


def _event_data(event: bytes) -> bytes | None:
    if event.startswith(b"data: ") and event.find(b"\n") < 0:
        return event[6:]  # the common case: one data line
    lines: list[bytes] = []
    for line in event.split(b"\n"):
        if not line or line.startswith(b":"):
            continue
        name, _, value = line.partition(b":")
        if value.startswith(b" "):
            value = value[1:]
        if name in (b"data", b"error"):
            lines.append(value)
    return b"\n".join(lines) if lines else None
