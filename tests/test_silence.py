"""SilenceTimer: called after an interval without events, again after each further one."""

import asyncio

from openchat.silence import SilenceTimer


async def test_silence_is_noticed_once_per_interval():
    calls: list[float] = []
    loop = asyncio.get_running_loop()
    started = loop.time()
    timer = SilenceTimer(0.05, lambda: calls.append(loop.time() - started))
    await asyncio.sleep(0.13)
    timer.stop()
    assert len(calls) == 2
    assert 0.045 <= calls[0] < 0.1 and calls[1] - calls[0] >= 0.045


async def test_a_touch_moves_the_deadline_a_whole_interval_on():
    calls: list[float] = []
    loop = asyncio.get_running_loop()
    timer = SilenceTimer(0.1, lambda: calls.append(loop.time()))
    for _ in range(4):  # events every 40 ms: never silent for 100 ms
        await asyncio.sleep(0.04)
        timer.touch()
    touched = loop.time()
    assert calls == []
    await asyncio.sleep(0.15)
    timer.stop()
    assert len(calls) == 1 and calls[0] - touched >= 0.099


async def test_a_stopped_timer_stays_quiet():
    calls: list[int] = []
    timer = SilenceTimer(0.02, lambda: calls.append(1))
    timer.stop()
    await asyncio.sleep(0.06)
    assert calls == []
