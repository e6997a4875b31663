"""One shared timer for every paced stream: a stream asks to be woken at a time and a single
loop timer wakes all streams that are due, so 1,000 streams cost one timer instead of 1,000.
"""

import asyncio
import heapq
import logging
import math
from typing import Protocol

log = logging.getLogger(__name__)

# Float division can put a deadline a hair past a slot boundary; never wait a whole slot for it.
_EPSILON = 1e-6


class Tickable(Protocol):
    def on_tick(self, now: float) -> None: ...


class Ticker:
    """Wakes clients in slots of `resolution` seconds, never before the time they asked for
    (as seen by the `now` they are given)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, resolution: float) -> None:
        self._loop = loop
        self._resolution = resolution
        self._slots: dict[int, list[Tickable]] = {}
        self._order: list[int] = []
        self._timer: asyncio.TimerHandle | None = None
        self._armed: int | None = None

    def wake_at(self, when: float, client: Tickable) -> None:
        """Call `client.on_tick(now)` once, at or soon after `when` (loop time)."""
        slot = math.ceil(when / self._resolution - _EPSILON)
        waiting = self._slots.get(slot)
        if waiting is not None:
            waiting.append(client)
            return
        self._slots[slot] = [client]
        heapq.heappush(self._order, slot)
        if self._armed is None or slot < self._armed:
            self._arm(slot)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._armed = None
        self._slots.clear()
        self._order.clear()

    def _arm(self, slot: int) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._armed = slot
        self._timer = self._loop.call_at(slot * self._resolution, self._fire)

    def _fire(self) -> None:
        armed = self._armed if self._armed is not None else 0
        self._timer = self._armed = None
        # Event loops may run a timer up to a millisecond early; the slot time is the floor.
        now = max(self._loop.time(), armed * self._resolution)
        last_due = math.floor(now / self._resolution + _EPSILON)
        due: list[list[Tickable]] = []
        while self._order and self._order[0] <= last_due:
            due.append(self._slots.pop(heapq.heappop(self._order)))
        if self._order:
            self._arm(self._order[0])
        for clients in due:
            for client in clients:
                try:
                    client.on_tick(now)
                except Exception:
                    # One broken stream must not stall the others sharing this timer.
                    log.exception("stream tick failed")
