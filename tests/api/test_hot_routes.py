"""The two hot routes answer exactly as FastAPI's own routing of the same endpoints does.

Each request is sent twice to one app: through HotRoutes, and with HotRoutes matching
nothing, so that FastAPI's router, parameter solving, serialisation and exception
middleware answer it. Status, headers and body must be the same.
"""

from __future__ import annotations

import gc
import re
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute
from pydantic import SecretStr
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from openchat.api import hot_routes, messages
from openchat.app import create_app
from openchat.errors import NotFound, OpenChatError
from openchat.settings import Settings

VARYING = ("id", "message_id", "timestamp")  # a new message's own; the rest must match


@pytest.fixture
async def client(simulator_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        openrouter_api_key=SecretStr("sk-or-v1-test"),
        openrouter_base_url=f"{simulator_url}/api/v1",
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        _env_file=None,  # type: ignore[call-arg]
    )
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
                yield client
    finally:
        gc.unfreeze()  # the lifespan froze what it built; it restores the thresholds itself


async def _hot(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, method: str, path: str, **kw: Any
) -> httpx.Response:
    """The response through HotRoutes, which must have served it."""
    served: list[str] = []

    def counted(endpoint: hot_routes.Endpoint) -> hot_routes.Endpoint:
        async def run(request: Request) -> Any:
            served.append(request.url.path)
            return await endpoint(request)

        return run

    with monkeypatch.context() as patch:
        counting = {key: counted(endpoint) for key, endpoint in hot_routes.ENDPOINTS.items()}
        patch.setattr(hot_routes, "ENDPOINTS", counting)
        response = await client.request(method, path, **kw)
    assert served == [path.partition("?")[0]]
    return response


async def _routed(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, method: str, path: str, **kw: Any
) -> httpx.Response:
    """The response through FastAPI's routing: HotRoutes matches nothing."""
    with monkeypatch.context() as patch:
        patch.setattr(hot_routes, "ENDPOINTS", {})
        return await client.request(method, path, **kw)


async def _both(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, method: str, path: str, **kw: Any
) -> tuple[httpx.Response, httpx.Response]:
    hot = await _hot(client, monkeypatch, method, path, **kw)
    return hot, await _routed(client, monkeypatch, method, path, **kw)


def _assert_same(hot: httpx.Response, routed: httpx.Response, varying: tuple[str, ...] = ()):
    """The same status, headers and bytes; `varying` fields (a new message's own) are
    replaced by placeholders first, and then only the length header may differ."""
    assert hot.status_code == routed.status_code, (hot.text, routed.text)
    ours, theirs = hot.content, routed.content
    for field in varying:
        ours = ours.replace(str(hot.json()[field]).encode(), f"<{field}>".encode())
        theirs = theirs.replace(str(routed.json()[field]).encode(), f"<{field}>".encode())
    assert ours == theirs
    skipped = {b"content-length"} if varying else set()
    assert [pair for pair in hot.headers.raw if pair[0] not in skipped] == [
        pair for pair in routed.headers.raw if pair[0] not in skipped
    ]
    for response in (hot, routed):  # a stream has no length
        length = response.headers.get("content-length")
        assert length is None or int(length) == len(response.content)


async def _conversation(client: httpx.AsyncClient) -> str:
    response = await client.post("/conversations", json={})
    response.raise_for_status()
    conversation: str = response.json()["id"]
    return conversation


async def test_a_posted_message_is_answered_as_fastapi_would(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
):
    first, second = await _conversation(client), await _conversation(client)
    body = {"message": "Hello there", "model": "openai/gpt-4o-mini"}
    hot = await _hot(client, monkeypatch, "POST", f"/conversations/{first}/messages", json=body)
    routed = await _routed(
        client, monkeypatch, "POST", f"/conversations/{second}/messages", json=body
    )
    assert hot.status_code == 200
    _assert_same(hot, routed, VARYING)


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"message": ', "application/json"),  # cut short
        (b'{"message": ""}', "application/json"),  # too short
        (b'{"message": "a\\u0000b"}', "application/json"),  # a NUL
        (b'{"model": "x"}', "application/json"),  # no message
        (b"", "application/json"),  # no body
        (b"[1, 2]", "application/json"),  # not an object
        (b'{"message": "hi"}', "text/plain"),  # not JSON by its type
        (b"\xff\xfe", "application/json"),  # not UTF-8
    ],
)
async def test_invalid_input_is_the_same_422(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, content: bytes, content_type: str
):
    conversation = await _conversation(client)
    path = f"/conversations/{conversation}/messages"
    headers = {"content-type": content_type}
    hot, routed = await _both(client, monkeypatch, "POST", path, content=content, headers=headers)
    assert hot.status_code == 422
    _assert_same(hot, routed)


async def test_unknown_conversations_and_running_answers_are_the_same_errors(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
):
    unknown = "/conversations/no-such-conversation"
    hot, routed = await _both(
        client, monkeypatch, "POST", f"{unknown}/messages", json={"message": "hi"}
    )
    assert hot.status_code == 404
    _assert_same(hot, routed)
    hot, routed = await _both(client, monkeypatch, "GET", f"{unknown}/stream")
    assert hot.status_code == 404
    _assert_same(hot, routed)

    conversation = await _conversation(client)
    slow = {"message": "[[sim tokens=50 tps=5]] Take your time."}
    (await client.post(f"/conversations/{conversation}/messages", json=slow)).raise_for_status()
    hot, routed = await _both(
        client, monkeypatch, "POST", f"/conversations/{conversation}/messages", json=slow
    )
    assert hot.status_code == 409
    _assert_same(hot, routed)
    (await client.post(f"/conversations/{conversation}/stop")).raise_for_status()


async def test_a_stream_and_its_bad_resume_point_are_the_same(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
):
    conversation = await _conversation(client)
    path = f"/conversations/{conversation}/stream"
    hot, routed = await _both(client, monkeypatch, "GET", path)
    assert hot.status_code == 400  # no question to answer yet
    _assert_same(hot, routed)
    question = {"message": "Hello there"}
    (await client.post(f"/conversations/{conversation}/messages", json=question)).raise_for_status()
    live = await client.get(path)  # read to its end: the answer is then stored
    assert live.status_code == 200 and b'"type":"done"' in live.content
    hot, routed = await _both(client, monkeypatch, "GET", path)  # the stored answer, replayed
    assert hot.status_code == 200 and b'"type":"done"' in hot.content
    _assert_same(hot, routed)
    hot, routed = await _both(client, monkeypatch, "GET", path, params={"last_event_id": "x"})
    assert hot.status_code == 422
    _assert_same(hot, routed)


@pytest.mark.parametrize(
    ("method", "path", "root_path", "taken"),
    [
        ("POST", "/conversations/c-1/messages", "", True),
        ("GET", "/conversations/c-1/stream", "", True),
        ("GET", "/conversations/c-1/messages", "", False),  # the list: FastAPI's
        ("PUT", "/conversations/c-1/messages", "", False),  # FastAPI's 405
        ("HEAD", "/conversations/c-1/stream", "", False),
        ("POST", "/conversations/c-1/messages/", "", False),  # FastAPI's redirect or 404
        ("POST", "/conversations/c/1/messages", "", False),  # an id has no slash
        ("POST", "/conversations//messages", "", False),
        ("POST", "/api/conversations/c-1/messages", "/api", False),  # under a root path
    ],
)
def test_only_the_two_routes_are_taken(method: str, path: str, root_path: str, taken: bool):
    scope = {"type": "http", "method": method, "path": path, "root_path": root_path}
    matched = hot_routes.match(scope)
    assert (matched[1] if matched else None) == ("c-1" if taken else None)


async def test_other_methods_still_reach_fastapi(client: httpx.AsyncClient):
    conversation = await _conversation(client)
    assert (await client.put(f"/conversations/{conversation}/messages")).status_code == 405
    assert (await client.get(f"/conversations/{conversation}/messages")).json() == {"data": []}


def test_a_declaration_hot_routes_cannot_honour_stops_the_start(monkeypatch: pytest.MonkeyPatch):
    hot_routes.check_routes(FastAPI())  # the routes as declared

    async def everyone() -> None:
        return None

    with pytest.raises(RuntimeError, match=re.escape("served by api.hot_routes")):
        hot_routes.check_routes(FastAPI(dependencies=[Depends(everyone)]))
    post = next(
        route
        for route in messages.router.routes
        if isinstance(route, APIRoute) and route.endpoint is messages.post_message
    )
    for setting, value in [
        ("status_code", 201),
        ("response_model_exclude_none", True),
        ("dependencies", [Depends(everyone)]),
        ("methods", {"POST", "PUT"}),
    ]:
        with monkeypatch.context() as patch:
            patch.setattr(post, setting, value)
            with pytest.raises(
                RuntimeError, match=re.escape("POST /conversations/{conversation_id}/messages")
            ):
                hot_routes.check_routes(FastAPI())


def test_handlers_are_picked_as_starlette_picks_them():
    def by_status(*_: object) -> None: ...
    def for_http(*_: object) -> None: ...
    def for_ours(*_: object) -> None: ...

    handlers: dict[Any, Any] = {404: by_status, HTTPException: for_http, OpenChatError: for_ours}
    assert hot_routes._handler_of(handlers, HTTPException(404)) is by_status
    assert hot_routes._handler_of(handlers, HTTPException(400)) is for_http
    assert hot_routes._handler_of({500: by_status, **handlers}, HTTPException(500)) is for_http
    assert hot_routes._handler_of(handlers, NotFound("gone")) is for_ours  # by its base class
    assert hot_routes._handler_of(handlers, ValueError("x")) is None  # the guard's 500
    assert hot_routes._handler_of({Exception: for_ours}, ValueError("x")) is None


async def test_a_plain_function_handler_runs_off_the_event_loop(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
):
    app = client._transport.app  # type: ignore[attr-defined]
    threads: list[int] = []

    def not_found(_request: Request, error: Exception) -> JSONResponse:
        threads.append(threading.get_ident())
        return JSONResponse({"detail": f"plain: {error}"}, status_code=404)

    monkeypatch.setitem(app.exception_handlers, NotFound, not_found)
    response = await _hot(client, monkeypatch, "GET", "/conversations/nothing/stream")
    assert response.status_code == 404 and response.json()["detail"].startswith("plain: ")
    assert threads and threads[0] != threading.get_ident()
