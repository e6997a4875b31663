"""CPU time and memory of a process and its descendants, read from /proc (Linux only)."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
from pathlib import Path
from typing import Self

_TICKS = os.sysconf("SC_CLK_TCK")
_PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str]:
    text = (_PROC / str(pid) / "stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # the name may hold spaces and parentheses


def process_tree(pid: int) -> list[int]:
    """`pid` and every live descendant of it."""
    parents: dict[int, list[int]] = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            parents.setdefault(int(_stat_fields(int(entry.name))[1]), []).append(int(entry.name))
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(parents.get(current, []))
    return tree


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU seconds used so far by `pids` (those that have exited count 0)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = _stat_fields(pid)
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICKS


class _Sampling:
    """Runs `_run` in the background for the length of an `async with`."""

    _task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        raise NotImplementedError


def thread_times(pid: int) -> dict[int, tuple[float, float]]:
    """Seconds each thread of `pid` has run, and waited for a core while runnable, so far
    (from schedstat; empty where the kernel keeps none)."""
    times: dict[int, tuple[float, float]] = {}
    with contextlib.suppress(OSError):
        for task in (_PROC / str(pid) / "task").iterdir():
            with contextlib.suppress(OSError, ValueError, IndexError):
                ran, waited = (task / "schedstat").read_text().split()[:2]
                times[int(task.name)] = (int(ran) / 1e9, int(waited) / 1e9)
    return times


def busiest_thread(
    before: dict[int, tuple[float, float]], after: dict[int, tuple[float, float]], wall_s: float
) -> tuple[float, float]:
    """The thread that ran most between two `thread_times` readings: the shares of `wall_s`
    it ran and waited for a core."""
    spans = [
        (ran - before.get(tid, (0.0, 0.0))[0], waited - before.get(tid, (0.0, 0.0))[1])
        for tid, (ran, waited) in after.items()
    ]
    if not spans or wall_s <= 0:
        return (math.nan, math.nan)
    ran, waited = max(spans)
    return (ran / wall_s, waited / wall_s)


class BusiestSecond(_Sampling):
    """Finds the second in which a process's busiest thread ran most, and how long it waited
    for a core then, and the most it waited in any second. A one-threaded server that ran
    near 100% was limited by its own work; one that waited long, by the machine (other
    processes had the cores). The busiest second is the one least likely to have waited,
    hence the second figure."""

    def __init__(self, pid: int, interval: float = 1.0) -> None:
        self._pid = pid
        self._interval = interval
        self.ran, self.waited, self.most_waited = math.nan, math.nan, math.nan

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        before, since = thread_times(self._pid), loop.time()
        while True:
            await asyncio.sleep(self._interval)
            after, now = thread_times(self._pid), loop.time()
            ran, waited = busiest_thread(before, after, now - since)
            if math.isnan(self.ran) or ran > self.ran:
                self.ran, self.waited = ran, waited
            if math.isnan(self.most_waited) or waited > self.most_waited:
                self.most_waited = waited
            before, since = after, now


def _status_kib(pid: int, key: str) -> int:
    with contextlib.suppress(OSError):
        for line in (_PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    return 0


def rss_mb(pids: list[int]) -> float:
    """Resident memory (VmRSS) of `pids` now, in MB (10^6 bytes)."""
    return sum(_status_kib(pid, "VmRSS:") for pid in pids) * 1024 / 1e6


def peak_rss_mb(pids: list[int]) -> float:
    """Highest resident memory (VmHWM) each of `pids` ever had, summed, in MB."""
    return sum(_status_kib(pid, "VmHWM:") for pid in pids) * 1024 / 1e6


class RssSampler(_Sampling):
    """Samples the resident memory of a process tree in the background and keeps the peak."""

    def __init__(self, pids: list[int], interval: float = 0.05) -> None:
        self._pids = pids
        self._interval = interval
        self.peak_mb = rss_mb(pids)

    async def __aexit__(self, *_: object) -> None:
        await super().__aexit__()
        self.peak_mb = max(self.peak_mb, rss_mb(self._pids))

    async def _run(self) -> None:
        while True:
            self.peak_mb = max(self.peak_mb, rss_mb(self._pids))
            await asyncio.sleep(self._interval)
