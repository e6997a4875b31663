"""The model list: fetched from upstream, cached for a TTL, refreshed by one call at a time,
and served stale when the upstream fails."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from openchat.domain import ModelInfo
from openchat.errors import UpstreamError

log = logging.getLogger(__name__)


class ModelCatalog:
    """A TTL cache in front of the upstream model list, with single-flight refresh."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[list[ModelInfo]]],
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl_seconds
        self._clock = clock
        self._models: list[ModelInfo] | None = None
        self._fetched_at = 0.0
        self._refresh: asyncio.Task[list[ModelInfo]] | None = None

    async def models(self) -> list[ModelInfo]:
        """The cached list while fresh; otherwise one shared refresh, stale copy on failure."""
        if self._models is not None and self._clock() - self._fetched_at < self._ttl:
            return self._models
        if self._refresh is None:
            self._refresh = asyncio.create_task(self._fetch_and_store())
        refresh = self._refresh
        try:
            return await asyncio.shield(refresh)
        except UpstreamError as error:
            if self._models is not None:
                log.error("Model list refresh failed (%s); serving the cached copy", error.detail)
                return self._models
            raise UpstreamError(f"Could not load the model list: {error.detail}") from error

    async def _fetch_and_store(self) -> list[ModelInfo]:
        try:
            models = await self._fetch()
            self._models, self._fetched_at = models, self._clock()
            return models
        finally:
            self._refresh = None
