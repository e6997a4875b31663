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

from fastapi import FastAPI
from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
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


def check_routes(app: FastAPI) -> None:
    """Refuse to start if a hot route's declaration asks for more than HotRoutes does: a
    dependency (an app-wide one too), another status, response filters or class, or another
    path or method. Such a setting would otherwise be skipped without a word."""
    declared = {
        route.endpoint: route
        for router in (messages.router, stream.router)
        for route in router.routes
        if isinstance(route, APIRoute)
    }
    for (method, action), endpoint in ENDPOINTS.items():
        route = declared.get(endpoint)
        path = f"/conversations/{{conversation_id}}/{action}"
        plain = (
            route is not None
            and route.path == path
            and route.methods == {method}
            and not route.dependencies
            and not app.router.dependencies
            and route.status_code in (None, 200)
            and route.response_model_include is None
            and route.response_model_exclude is None
            and route.response_model_by_alias
            and not route.response_model_exclude_unset
            and not route.response_model_exclude_defaults
            and not route.response_model_exclude_none
            # A response class shapes a returned model; a returned Response is sent as it is.
            and (
                route.response_model is None or isinstance(route.response_class, DefaultPlaceholder)
            )
        )
        if not plain:
            raise RuntimeError(
                f"{method} {path} is served by api.hot_routes, which does only what its "
                "declaration did when it was written: change both together"
            )


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
            if inspect.iscoroutinefunction(handler):
                result = await handler(request, error)
            else:  # as Starlette runs a plain function: off the event loop
                result = await run_in_threadpool(handler, request, error)
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
    """The app's handler for `error`, as Starlette picks it: by status for an HTTPException,
    then by its class or nearest base. Those of `Exception` and 500 belong to the outermost
    layer, as in FastAPI."""
    if isinstance(error, HTTPException) and error.status_code != 500:
        by_status = handlers.get(error.status_code)
        if by_status is not None:
            return by_status
    for kind in type(error).__mro__:
        if kind is Exception:
            return None
        if kind in handlers:
            return handlers[kind]
    return None
