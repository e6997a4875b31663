"""The upstream client against the simulator over real HTTP, through its real pool."""

from __future__ import annotations

import httpx
import pytest

from openchat.domain import Turn
from openchat.settings import Settings
from openchat.upstream.openrouter import Finished, OpenRouterClient, open_pool
from tests.upstream.deltas import Deltas


@pytest.mark.usefixtures("sim")  # the simulator's counters start from zero
async def test_answers_in_a_row_share_one_upstream_connection(simulator_url: str):
    settings = Settings(
        openrouter_api_key="sk-or-v1-test",
        openrouter_base_url=f"{simulator_url}/api/v1",
        _env_file=None,  # type: ignore[call-arg]
    )
    pool = open_pool(settings)
    client = OpenRouterClient(pool, settings)
    try:
        for _ in range(3):
            deltas = Deltas()
            finished = await client.stream_chat("openai/gpt-4o-mini", [Turn("user", "hi")], deltas)
            assert deltas and finished == Finished("stop", finished.usage)
            await client.settle()  # the body's end is read past `[DONE]`
    finally:
        await pool.close()
    async with httpx.AsyncClient() as http:  # one more connection: the simulator counts it
        stats = (await http.get(f"{simulator_url}/_sim/stats")).json()
    # Each body was read to its end, past `[DONE]`: the connection went back to the pool.
    assert stats == {
        "requests": 3,
        "open_streams": 0,
        "cancelled": 0,
        "connections": 1 + 1,
    }
