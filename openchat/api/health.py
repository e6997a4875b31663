"""GET /health: the database answers and whether an upstream key is configured."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from openchat.api.deps import ChatDep, SettingsDep
from openchat.api.schemas import Health

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(chat: ChatDep, settings: SettingsDep) -> Health | JSONResponse:
    configured = settings.upstream_configured
    try:
        await chat.ping()
    except Exception as error:
        log.error("Health check: the database did not answer (%s)", type(error).__name__)
        body = Health(status="error", database="unavailable", upstream_configured=configured)
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(status="ok", database="ok", upstream_configured=configured)
