"""HotRoutes: the two requests of every answer, dispatched without FastAPI's router.

Posting a message and opening its stream happen once per answer each. Through FastAPI each
passes its exception middleware, an exit stack, the router (which tries each route in turn)
and the route's wrapper, which solves parameters these two routes no longer declare (see
answer_input). Here one regular expression matches them and calls the same endpoint
functions; their failures go to the app's own exception handlers, so the answers are
FastAPI's, byte for byte. FastAPI still documents them and serves every other request.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from openchat.api import messages, stream

Endpoint = Callable[[Request], Awaitable[BaseModel | Response]]

PATH = re.compile(r"/conversations/(?P<conversation_id>[^/]+)/(?P<action>messages|stream)")
ENDPOINTS: dict[tuple[str, str], Endpoint] = {
    ("POST", "messages"): messages.post_message,
    ("GET", "stream"): stream.stream_answer,
}


class HotRoutes:
    """Sends the two hot routes to their endpoints; everything else to FastAPI."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        matched = match(scope)
        if matched is None:
            await self.app(scope, receive, send)
            return
        endpoint, conversation_id = matched
        scope["path_params"] = {"conversation_id": conversation_id}
        request = Request(scope, receive)
        try:
            result = await endpoint(request)
        except Exception as error:
            handler = _handler_of(scope["app"].exception_handlers, error)
            if handler is None:
                raise  # as FastAPI would: the outer guard answers 500
            result = handler(request, error)
            if inspect.isawaitable(result):
                result = await result
        if isinstance(result, BaseModel):  # as FastAPI serialises a `response_model`
            result = Response(result.model_dump_json(by_alias=True), media_type="application/json")
        await result(scope, receive, send)


def match(scope: Scope) -> tuple[Endpoint, str] | None:
    """The endpoint of a hot route and its conversation id; None for any other request."""
    # Under a root path FastAPI matches the path without it: leave that case to FastAPI.
    if scope["type"] != "http" or scope.get("root_path"):
        return None
    found = PATH.fullmatch(scope["path"])
    if found is None:
        return None
    endpoint = ENDPOINTS.get((scope["method"], found["action"]))
    return None if endpoint is None else (endpoint, found["conversation_id"])


def _handler_of(
    handlers: dict[Any, Callable[..., Any]], error: Exception
) -> Callable[..., Any] | None:
    """The app's handler for `error`'s class or its nearest base, as Starlette picks it; the
    handlers of `Exception` and 500 belong to the outermost layer, as in FastAPI."""
    for kind in type(error).__mro__:
        if kind is Exception:
            return None
        if kind in handlers:
            return handlers[kind]
    return None
