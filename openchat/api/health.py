"""GET /health: the database (and Redis, where servers share it) answers, and whether an
upstream key is configured."""

from __future__ import annotations

import logging
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from openchat.api.deps import ChatDep, SettingsDep
from openchat.api.schemas import Health

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(chat: ChatDep, settings: SettingsDep) -> Health | JSONResponse:
    database: Literal["ok", "unavailable"] = "ok"
    redis: Literal["ok", "unavailable", "unused"] = "ok" if chat.shares_answers else "unused"
    try:
        await chat.ping()
    except Exception as error:
        log.error("Health check: the database did not answer (%s)", type(error).__name__)
        database = "unavailable"
    try:
        await chat.ping_shared()
    except Exception as error:
        log.error("Health check: Redis did not answer (%s)", type(error).__name__)
        redis = "unavailable"
    body = Health(
        status="ok" if "unavailable" not in (database, redis) else "error",
        database=database,
        redis=redis,
        upstream_configured=settings.upstream_configured,
    )
    if body.status == "error":
        return JSONResponse(body.model_dump(), status_code=503)
    return body
