"""The model list cache: TTL, one shared refresh, stale copy on failure, 502 without one."""

import asyncio

import pytest

from openchat.chat.catalog import ModelCatalog
from openchat.domain import ModelInfo
from openchat.errors import UpstreamError


class Upstream:
    def __init__(self) -> None:
        self.calls = 0
        self.fail = False
        self.release = asyncio.Event()

    async def fetch(self) -> list[ModelInfo]:
        self.calls += 1
        await self.release.wait()
        if self.fail:
            raise UpstreamError("down")
        return [ModelInfo(id=f"m/{self.calls}", name="M")]


async def test_concurrent_requests_share_one_refresh_and_the_ttl_holds():
    upstream, now = Upstream(), [0.0]
    catalog = ModelCatalog(upstream.fetch, ttl_seconds=60, clock=lambda: now[0])
    waiting = [asyncio.create_task(catalog.models()) for _ in range(20)]
    await asyncio.sleep(0)
    upstream.release.set()
    results = await asyncio.gather(*waiting)
    assert upstream.calls == 1
    assert all(result[0].id == "m/1" for result in results)
    now[0] = 59
    assert (await catalog.models())[0].id == "m/1"
    now[0] = 61
    assert (await catalog.models())[0].id == "m/2"
    assert upstream.calls == 2


async def test_stale_copy_is_served_when_the_refresh_fails():
    upstream, now = Upstream(), [0.0]
    upstream.release.set()
    catalog = ModelCatalog(upstream.fetch, ttl_seconds=10, clock=lambda: now[0])
    await catalog.models()
    upstream.fail, now[0] = True, 100
    assert (await catalog.models())[0].id == "m/1"


async def test_no_copy_and_failing_upstream_raises():
    upstream = Upstream()
    upstream.release.set()
    upstream.fail = True
    with pytest.raises(UpstreamError, match="Could not load the model list"):
        await ModelCatalog(upstream.fetch, ttl_seconds=10).models()
