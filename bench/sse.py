"""Incremental Server-Sent Events parsing: bytes in, the `data` of each complete event out."""

from __future__ import annotations


class SseParser:
    """Splits a byte stream into events and returns each event's data field.

    Lines end with LF or CRLF; an empty line ends an event; `:` lines are
    comments; several `data:` lines of one event are joined with LF, as the
    SSE specification says. Fields other than `data` are ignored.
    """

    __slots__ = ("_data", "_tail")

    def __init__(self) -> None:
        self._tail = b""
        self._data: list[bytes] = []

    def feed(self, chunk: bytes) -> list[bytes]:
        """Consume `chunk`; return the data of every event it completed, in order."""
        lines = (self._tail + chunk).split(b"\n") if self._tail else chunk.split(b"\n")
        self._tail = lines.pop()
        events: list[bytes] = []
        data = self._data
        for line in lines:
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line:
                if data:
                    events.append(data[0] if len(data) == 1 else b"\n".join(data))
                    data = self._data = []
            elif line.startswith(b"data:"):
                value = line[5:]
                data.append(value[1:] if value.startswith(b" ") else value)
        return events
