"""The upstream client against the simulator over real HTTP, through its real session."""

from __future__ import annotations

import pytest

from openchat.domain import Turn
from openchat.settings import Settings
from openchat.upstream.openrouter import Finished, OpenRouterClient, TextDelta, open_session


@pytest.mark.usefixtures("sim")  # the simulator's counters start from zero
async def test_answers_in_a_row_share_one_upstream_connection(simulator_url: str):
    settings = Settings(
        openrouter_api_key="sk-or-v1-test",
        openrouter_base_url=f"{simulator_url}/api/v1",
        _env_file=None,  # type: ignore[call-arg]
    )
    session = open_session(settings)
    client = OpenRouterClient(session, settings)
    try:
        for _ in range(3):
            deltas = [
                d async for d in client.stream_chat("openai/gpt-4o-mini", [Turn("user", "hi")])
            ]
            assert isinstance(deltas[0], TextDelta) and isinstance(deltas[-1], Finished)
            await client.settle()  # the body's end is read in the background
        async with session.get(f"{simulator_url}/_sim/stats") as response:
            stats = await response.json()
    finally:
        await session.close()
    # Each body was read to its end, past `[DONE]`: the connection went back to the pool.
    assert stats == {
        "requests": 3,
        "open_streams": 0,
        "cancelled": 0,
        "connections": 1,
    }
