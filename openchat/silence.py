"""SilenceTimer: notices that nothing happened for a while, at the cost of a clock read per event.

Rescheduling a timer on every event (a read timeout, a ping timer per frame) costs a timer
handle per token. This keeps one timer per interval instead: an event only notes the time,
and the timer, when it fires early, is set again for the moved deadline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

CLOCK_SLACK = 0.001  # a timer may fire up to a millisecond early (the loop's resolution)


class SilenceTimer:
    """Calls `on_silence` after `interval` seconds without `touch()`, and after each further
    interval of silence, until `stop()`."""

    __slots__ = ("_handle", "_interval", "_last", "_loop", "_on_silence")

    def __init__(self, interval: float, on_silence: Callable[[], object]) -> None:
        self._loop = asyncio.get_running_loop()
        self._interval = interval
        self._on_silence = on_silence
        self._last = self._loop.time()
        self._handle = self._loop.call_at(self._last + interval, self._tick)

    def touch(self) -> None:
        """Something happened: the silence starts again from now."""
        self._last = self._loop.time()

    def stop(self) -> None:
        self._handle.cancel()

    def _tick(self) -> None:
        due = self._last + self._interval
        if self._loop.time() + CLOCK_SLACK >= due:
            self._last = self._loop.time()
            due = self._last + self._interval
            self._on_silence()
        self._handle = self._loop.call_at(due, self._tick)
