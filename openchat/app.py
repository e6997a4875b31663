"""create_app(): wires settings, storage, the upstream client and the service into FastAPI."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp

from openchat.api import OPENAPI_TAGS, ROUTERS
from openchat.api.hot_routes import HotRoutes, check_routes
from openchat.api.schemas import ErrorOut
from openchat.chat.catalog import ModelCatalog
from openchat.chat.service import ChatService
from openchat.errors import OpenChatError, UpstreamError
from openchat.middleware import FrameSend, Guard
from openchat.settings import Settings
from openchat.storage.database import SqliteDatabase, migrate, open_database
from openchat.storage.sql import SqlChatStore
from openchat.upstream.openrouter import OpenRouterClient, open_pool
from openchat.web import mount_web

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
# A message with its images: four at the most, in base64, and its text.
MAX_MESSAGE_BODY_BYTES = 28 * 1024 * 1024
# The collector's thresholds (CPython's are 700, 10, 10). A streamed token allocates a few
# dozen objects that reference counting frees; at the default, a thousand streams paid 0.7 s
# of collections in 7 s, and full passes over their live objects paused every stream for up
# to 130 ms. Rarer young passes, and full passes one in 100 middle ones, not one in 10.
COLLECTOR_THRESHOLDS = (5000, 5, 100)


class OpenChatApp(FastAPI):
    """FastAPI, whose answer streams write their frames past its middleware (FrameSend)."""

    def build_middleware_stack(self) -> ASGIApp:
        return FrameSend(super().build_middleware_stack())


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app from `settings` (by default, the environment and `.env`)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as cleanup:  # what started is stopped, in reverse order
            database = open_database(settings.database_url)
            cleanup.push_async_callback(database.dispose)
            await migrate(database)
            pool = open_pool(settings)
            cleanup.push_async_callback(pool.close)
            upstream = OpenRouterClient(pool, settings)
            cleanup.push_async_callback(upstream.settle)
            answers = None
            if settings.redis_url is not None:
                # Imported only here: Redis's client takes some 150 ms and 20 MB to load.
                from openchat.chat import shared

                answers = shared.SharedAnswers(settings.redis_url.get_secret_value())
                cleanup.push_async_callback(answers.close)  # after the answers stop (below)
            chat = ChatService(
                SqlChatStore(database),
                upstream.stream_chat if settings.upstream_configured else None,
                settings.model_name,
                settings.checkpoint_interval,
                ping_interval=settings.stream_ping_interval,
                shared_database=settings.shared_database,
                shared_answers=answers,
            )
            await chat.start()
            cleanup.push_async_callback(chat.close)
            app.state.settings = settings
            app.state.chat = chat
            app.state.catalog = ModelCatalog(upstream.list_models, settings.models_cache_ttl)
            several = settings.shared_database or settings.redis_url is not None
            if several and isinstance(database, SqliteDatabase):
                log.warning(
                    "SHARED_DATABASE and REDIS_URL are for several servers on PostgreSQL;"
                    " SQLite serves one"
                )
            if not settings.upstream_configured:
                log.warning("OPENROUTER_API_KEY is not set: answers will explain how to set it")
            # What start-up built lives as long as the process: frozen, the collector's full
            # passes no longer walk it. Those passes were the 100 ms tails of opening a long
            # conversation. Then the collector runs less often (see COLLECTOR_THRESHOLDS).
            gc.freeze()
            cleanup.callback(gc.set_threshold, *gc.get_threshold())  # the process may host more
            gc.set_threshold(*COLLECTOR_THRESHOLDS)
            yield

    app = OpenChatApp(
        title="Open Chat",
        version="1.0",
        summary="Chat with hundreds of AI models through OpenRouter.",
        lifespan=lifespan,
        openapi_tags=OPENAPI_TAGS,
        # FastAPI's OpenTelemetry hooks look for a configured provider on every request (2 % of
        # an answer's instructions); Open Chat configures none.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        # What the guard answers on every route (middleware.Guard).
        responses={
            400: {"model": ErrorOut, "description": "A NUL character in the address."},
            403: {
                "model": ErrorOut,
                "description": "Asked by a page of another site (see CORS_ORIGINS): a change,"
                " or a stream that would start an answer.",
            },
            413: {
                "model": ErrorOut,
                "description": f"A body over {MAX_BODY_BYTES} bytes ({MAX_MESSAGE_BODY_BYTES}"
                " for a message posted or edited).",
            },
        },
    )
    app.state.settings = settings
    app.add_exception_handler(OpenChatError, _openchat_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    for router in ROUTERS:
        app.include_router(router)
    mount_web(app, settings.web_dist)
    check_routes(app)
    app.add_middleware(HotRoutes)  # added first: innermost, inside CORS and the guard
    if settings.cors_origin_list:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Content-Type", "Last-Event-ID"],
        )
    # Added last: outermost. Stream frames skip every middleware (middleware.FrameSend), so
    # none may need to see response bodies, and each must pass a response's start on as it
    # comes (headers added, never held back).
    app.add_middleware(
        Guard,
        max_body_bytes=MAX_BODY_BYTES,
        allowed_origins=settings.cors_origin_list,
        max_message_bytes=MAX_MESSAGE_BODY_BYTES,
    )
    return app


async def _openchat_error(_request: Request, error: OpenChatError) -> JSONResponse:
    headers = {}
    if isinstance(error, UpstreamError) and error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=headers)


# A 422 shows the value it refused (as FastAPI does), unless it is this long: an image in
# base64 or a long message would come back whole.
ECHOED_INPUT_CHARS = 1000


async def _invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
    details = error.errors()
    for detail in details:
        # A body that is not JSON comes as its bytes: not repeated at all (they may not even
        # be text).
        refused = detail.get("input")
        if isinstance(refused, bytes | bytearray) or _longer_than(refused, ECHOED_INPUT_CHARS):
            detail.pop("input", None)
    return JSONResponse({"detail": jsonable_encoder(details)}, status_code=422)


def _longer_than(value: object, limit: int) -> bool:
    """Whether the text in a JSON value passes `limit` characters; it stops as soon as it does."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            limit -= len(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
        else:
            limit -= 8  # a number, true, false or null
        if limit < 0:
            return True
    return False
