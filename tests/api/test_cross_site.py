"""Requests that another site's page makes the browser send are refused, and change nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from openchat.api import stream
from openchat.cross_site import REFUSED, CrossSitePolicy
from openchat.storage.database import open_database
from openchat.storage.sql import SqlChatStore
from openchat.storage.store import MessageDraft
from tests.conftest import completion_requests, new_conversation, post_message
from tests.servers import AppServer, fresh_database
from tests.sse import read_stream

EVIL = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
MODEL = "openai/gpt-4o-mini"


def _scope(method: str, path: str, **headers: str) -> dict[str, Any]:
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    return {"type": "http", "method": method, "path": path, "headers": raw}


@pytest.mark.parametrize(
    ("method", "path", "headers", "refused"),
    [
        # Current browsers say where the request comes from.
        ("POST", "/conversations", {"sec-fetch-site": "cross-site"}, True),
        ("POST", "/conversations", {"sec-fetch-site": "same-site"}, True),
        ("POST", "/conversations", {"sec-fetch-site": "same-origin"}, False),
        ("POST", "/conversations", {"sec-fetch-site": "none"}, False),
        ("DELETE", "/conversations/c1", {"sec-fetch-site": "cross-site"}, True),
        ("PATCH", "/conversations/c1", {"sec-fetch-site": "cross-site"}, True),
        # A stream may start an answer: a GET, judged as a change.
        ("GET", "/conversations/c1/stream", {"sec-fetch-site": "cross-site"}, True),
        ("GET", "/prefix/conversations/c1/stream", {"sec-fetch-site": "cross-site"}, True),
        ("GET", "/conversations/c1/stream", {"sec-fetch-site": "same-origin"}, False),
        # Reads are CORS's to guard.
        ("GET", "/conversations/c1", {"sec-fetch-site": "cross-site"}, False),
        ("HEAD", "/conversations", {"sec-fetch-site": "cross-site"}, False),
        ("HEAD", "/conversations/c1/stream", {"sec-fetch-site": "cross-site"}, True),
        ("GET", "/conversations/c1/stream\n", {"sec-fetch-site": "cross-site"}, False),
        # Preflights are CORS's to answer.
        ("OPTIONS", "/conversations", {"sec-fetch-site": "cross-site"}, False),
        ("OPTIONS", "/conversations/c1/stream", {"sec-fetch-site": "cross-site"}, False),
        ("PUT", "/conversations/c1", {"sec-fetch-site": "cross-site"}, True),
        ("PURGE", "/conversations/c1", {"sec-fetch-site": "cross-site"}, True),
        # Sec-Fetch-Site has the last word over Origin.
        ("POST", "/conversations", {"origin": "null", "sec-fetch-site": "same-origin"}, False),
        # Older browsers: their Origin against the Host they asked.
        ("POST", "/conversations", {"origin": "https://evil.example", "host": "chat.test"}, True),
        ("POST", "/conversations", {"origin": "https://chat.test", "host": "Chat.Test"}, False),
        ("POST", "/conversations", {"origin": "null", "host": "chat.test"}, True),
        ("POST", "/conversations", {"origin": "null"}, True),
        ("POST", "/conversations", {"origin": "https://chat.test"}, True),
        ("POST", "/conversations", {"origin": "https://chat.test", "host": "chat.test:443"}, False),
        ("POST", "/conversations", {"origin": "http://chat.test", "host": "chat.test:80"}, False),
        ("POST", "/conversations", {"origin": "https://chat.test", "host": "chat.test:8443"}, True),
        ("POST", "/conversations", {"origin": "http://[::1]:8001", "host": "[::1]:8001"}, False),
        ("POST", "/conversations", {"origin": "http://[::1]:5173", "host": "[::1]:8001"}, True),
        # Clients that are not browsers send neither.
        ("POST", "/conversations", {"host": "chat.test"}, False),
        # An origin of CORS_ORIGINS may, however it is sent.
        (
            "POST",
            "/conversations",
            {"origin": "https://ui.test", "sec-fetch-site": "cross-site"},
            False,
        ),
        ("POST", "/conversations", {"origin": "https://ui.test", "host": "chat.test"}, False),
    ],
)
def test_policy(method: str, path: str, headers: dict[str, str], refused: bool):
    policy = CrossSitePolicy(["https://ui.test"])
    assert policy.refuses(_scope(method, path, **headers)) is refused


def test_every_site_may_when_cors_origins_says_so():
    headers = {"origin": "https://evil.example", "sec-fetch-site": "cross-site"}
    assert CrossSitePolicy(["*"]).refuses(_scope("POST", "/conversations", **headers)) is False


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.json() == {"detail": REFUSED}
    assert response.headers["x-content-type-options"] == "nosniff"


def test_another_sites_page_changes_nothing(api: httpx.Client, sim: httpx.Client):
    conversation = new_conversation(api, title="Kept")
    cid = conversation["id"]
    post_message(api, cid, "Hello there")
    assert read_stream(api, cid).last["type"] == "done"
    asked = len(completion_requests(sim))
    stored = api.get(f"/conversations/{cid}", params={"versions": "all"}).json()

    attempts: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/conversations", {"json": {"title": "Planted"}}),
        ("POST", f"/conversations/{cid}/messages", {"json": {"message": "Spend credits"}}),
        ("POST", f"/conversations/{cid}/regenerate", {}),
        # A form's POST: no JSON content type, so no preflight either.
        ("POST", f"/conversations/{cid}/regenerate", {"content": b"model=x"}),
        ("POST", f"/conversations/{cid}/stop", {}),
        ("PATCH", f"/conversations/{cid}", {"json": {"title": "Renamed"}}),
        ("DELETE", f"/conversations/{cid}", {}),
        ("GET", f"/conversations/{cid}/stream", {}),
    ]
    for method, path, extra in attempts:
        _refused(api.request(method, path, headers=EVIL, **extra))

    assert api.get(f"/conversations/{cid}", params={"versions": "all"}).json() == stored
    assert [item["title"] for item in api.get("/conversations").json()["data"]].count(
        "Planted"
    ) == 0
    assert len(completion_requests(sim)) == asked  # no answer was asked for upstream


def test_the_apps_own_pages_and_other_clients_pass(api: httpx.Client, server: AppServer):
    own = {"Sec-Fetch-Site": "same-origin", "Origin": server.url}
    typed = {"Sec-Fetch-Site": "none"}
    older_browser = {"Origin": server.url}  # no Sec-Fetch-Site; Origin matches the Host
    for headers in (own, typed, older_browser, {}):
        created = api.post("/conversations", json={}, headers=headers)
        assert created.status_code == 201, (headers, created.text)
        cid = created.json()["id"]
        posted = api.post(f"/conversations/{cid}/messages", json={"message": "Hi"}, headers=headers)
        assert posted.status_code == 200, (headers, posted.text)
        api.headers.update(headers)
        try:
            assert read_stream(api, cid).last["type"] == "done"
        finally:
            for name in headers:
                del api.headers[name]


def test_older_browsers_are_judged_by_their_origin(api: httpx.Client):
    for origin in ("https://evil.example", "null"):
        _refused(api.post("/conversations", json={}, headers={"Origin": origin}))


def test_the_origins_of_cors_origins_may_change_things(start_server: Callable[..., AppServer]):
    server = start_server(cors_origins="https://ui.example")
    with httpx.Client(base_url=server.url, timeout=30) as api:
        allowed = {"Sec-Fetch-Site": "cross-site", "Origin": "https://ui.example"}
        created = api.post("/conversations", json={}, headers=allowed)
        assert created.status_code == 201, created.text
        assert created.headers["access-control-allow-origin"] == "https://ui.example"
        _refused(api.post("/conversations", json={}, headers=EVIL))
        # Reads are answered, and CORS keeps the other site from seeing them.
        read = api.get("/conversations", headers=EVIL)
        assert read.status_code == 200
        assert "access-control-allow-origin" not in read.headers


async def _store_question_alone(database_url: str, conversation_id: str) -> None:
    """A question with no answer row, as servers before this one stored it."""
    database = open_database(database_url)
    try:
        question = MessageDraft(role="user", content="Unanswered", model=MODEL)
        await SqlChatStore(database).add_answer(conversation_id, question)
    finally:
        await database.dispose()


def test_a_stream_from_another_site_starts_no_answer(
    start_server: Callable[..., AppServer], sim: httpx.Client, tmp_path: Path
):
    """The one read that can start something: a stream whose question has no answer."""
    with fresh_database(tmp_path) as url:
        server = start_server(url)
        with httpx.Client(base_url=server.url, timeout=30) as api:
            cid = new_conversation(api)["id"]
            asyncio.run(_store_question_alone(url, cid))

            _refused(api.get(f"/conversations/{cid}/stream", headers=EVIL))
            assert completion_requests(sim) == []
            roles = [m["role"] for m in api.get(f"/conversations/{cid}").json()["messages"]]
            assert roles == ["user"]
            api.headers["Sec-Fetch-Site"] = "same-origin"
            assert read_stream(api, cid).last["type"] == "done"  # the app's own page starts it
            assert len(completion_requests(sim)) == 1


def test_the_policy_knows_the_stream_route():
    """The one read that may start an answer is named in cross_site by its path: held to the
    route's own, so that moving the route cannot leave it unguarded."""
    paths = [route.path for route in stream.router.routes if isinstance(route, APIRoute)]
    assert paths == ["/conversations/{conversation_id}/stream"]
    concrete = paths[0].replace("{conversation_id}", "c1")
    policy = CrossSitePolicy([])
    assert policy.refuses(_scope("GET", concrete, **{"sec-fetch-site": "cross-site"}))
