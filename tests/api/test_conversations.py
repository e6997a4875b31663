"""Conversations over HTTP: create, list with cursor paging, get, rename, delete; errors."""

from __future__ import annotations

import base64
import json
import re
import socket
import time
from collections.abc import Callable

import httpx
from fastapi.routing import APIRoute

from openchat.api import ROUTERS
from openchat.api.strict_json import StrictJsonRoute
from tests.conftest import completion_requests, new_conversation, post_message, unique
from tests.servers import AppServer
from tests.sse import read_stream

JSON = {"content-type": "application/json"}


def test_create_uses_the_configured_default_model(api: httpx.Client):
    created = new_conversation(api)
    assert created["title"] == "New chat"
    assert created["default_model"] == "openai/gpt-4o-mini"
    assert created["system_prompt"] == ""
    assert created["created_at"].endswith(("Z", "+00:00"))
    fetched = api.get(f"/conversations/{created['id']}").json()
    assert fetched["messages"] == []
    assert {k: fetched[k] for k in created} == created


def test_create_with_every_field(api: httpx.Client):
    created = new_conversation(
        api, title="Trip", default_model="anthropic/claude-3.5-sonnet", system_prompt="Be brief."
    )
    assert (created["title"], created["default_model"], created["system_prompt"]) == (
        "Trip",
        "anthropic/claude-3.5-sonnet",
        "Be brief.",
    )


def test_list_is_newest_first_with_cursor_paging(api: httpx.Client):
    tag = unique()
    ids = [new_conversation(api, title=f"{tag} {n}")["id"] for n in range(7)]
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params = {"limit": 3, "q": tag} | ({"cursor": cursor} if cursor else {})
        page = api.get("/conversations", params=params).json()
        seen += [item["id"] for item in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))


def test_a_new_message_moves_a_conversation_to_the_top(api: httpx.Client):
    tag = unique()
    first = new_conversation(api, title=f"{tag} first")
    new_conversation(api, title=f"{tag} second")
    post_message(api, first["id"], "bump [[sim tokens=2]]")
    listed = api.get("/conversations", params={"q": tag}).json()["data"]
    assert listed[0]["id"] == first["id"]


def test_search_ignores_case_in_every_alphabet(api: httpx.Client):
    tag = unique()
    titles = {"Привет мир": "ПРИВЕТ", "100% Ünïcode_x": "ünï", "Café olé": "CAFÉ", "Ωmega": "ω"}
    created = {new_conversation(api, title=f"{title} {tag}")["id"]: title for title in titles}
    for title, query in titles.items():
        for asked in (title.split()[0], query):
            found = api.get("/conversations", params={"q": f"{asked}"}).json()["data"]
            assert [created.get(row["id"]) for row in found if row["id"] in created] == [title], (
                asked
            )


def test_search_finds_a_chat_by_its_messages_and_says_where(api: httpx.Client):
    tag = unique()
    conversation = new_conversation(api, title="Named by hand")
    posted = post_message(api, conversation["id"], f"Tell me about {tag}s [[sim reply=echo]]")
    read_stream(api, conversation["id"])
    question, answer = api.get(f"/conversations/{conversation['id']}").json()["messages"]
    assert posted["id"] == question["id"]

    found = api.get("/conversations", params={"q": tag.upper()}).json()["data"]
    assert [row["id"] for row in found] == [conversation["id"]]
    assert found[0]["match"] == {  # the newest message with the word: the echoed answer
        "message_id": answer["id"],
        "role": "assistant",
        "snippet": f"Tell me about {tag}s",
    }
    listed = api.get("/conversations", params={"limit": 5}).json()["data"]
    assert listed and all(row["match"] is None for row in listed)  # no search, no match


def test_title_is_set_from_the_first_message(api: httpx.Client):
    conversation = new_conversation(api)
    post_message(api, conversation["id"], "How do   tides work?\nPlease explain.")
    title = api.get(f"/conversations/{conversation['id']}").json()["title"]
    assert title == "How do tides work? Please explain."


def test_patch_renames_and_sets_fields(api: httpx.Client):
    conversation = new_conversation(api)
    patched = api.patch(
        f"/conversations/{conversation['id']}",
        json={"title": "  Renamed  ", "system_prompt": "Speak French.", "default_model": "x/y"},
    )
    assert patched.status_code == 200
    body = patched.json()
    assert (body["title"], body["system_prompt"], body["default_model"]) == (
        "Renamed",
        "Speak French.",
        "x/y",
    )
    assert body["updated_at"] >= conversation["updated_at"]
    for nothing in ({}, {"title": None}):
        unchanged = api.patch(f"/conversations/{conversation['id']}", json=nothing)
        assert unchanged.status_code == 200 and unchanged.json() == body
    assert api.patch("/conversations/nope", json={}).status_code == 404


def test_delete_removes_the_conversation_and_its_messages(api: httpx.Client):
    conversation = new_conversation(api)
    post_message(api, conversation["id"], "hello [[sim tokens=2]]")
    assert api.delete(f"/conversations/{conversation['id']}").status_code == 204
    assert api.get(f"/conversations/{conversation['id']}").status_code == 404
    assert api.get(f"/conversations/{conversation['id']}/messages").status_code == 404
    assert api.delete(f"/conversations/{conversation['id']}").status_code == 404


def test_unknown_ids_are_404_json(api: httpx.Client):
    for method, path in [
        ("GET", "/conversations/nope"),
        ("PATCH", "/conversations/nope"),
        ("DELETE", "/conversations/nope"),
        ("GET", "/conversations/nope/messages"),
        ("POST", "/conversations/nope/messages"),
        ("GET", "/conversations/nope/stream"),
        ("POST", "/conversations/nope/stop"),
        ("POST", "/conversations/nope/regenerate"),
    ]:
        body = {"message": "hi"} if method in ("POST", "PATCH") else None
        response = api.request(method, path, json=body)
        assert response.status_code == 404, (method, path)
        assert response.headers["content-type"].startswith("application/json")
        assert response.json() == {"detail": "Conversation not found."}


def test_an_unknown_conversation_is_404_before_its_body_is_judged(api: httpx.Client):
    for body in ({}, {"message": 5}, None):
        response = api.post("/conversations/nope/messages", json=body)
        assert response.status_code == 404, body
        assert response.json() == {"detail": "Conversation not found."}
    response = api.get("/conversations/nope/stream", params={"last_event_id": 3})
    assert response.status_code == 404


def test_validation_errors_are_422_with_readable_detail(api: httpx.Client):
    conversation = new_conversation(api)
    messages = f"/conversations/{conversation['id']}/messages"
    for body in (
        {"message": ""},
        {"message": "   \n\t"},
        {},
        {"message": 5},
        {"message": "x" * 100_001},
    ):
        response = api.post(messages, json=body)
        assert response.status_code == 422, body
        detail = response.json()["detail"]
        assert isinstance(detail, list) and detail[0]["msg"]
    malformed = api.post(
        messages, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 422
    assert api.patch(f"/conversations/{conversation['id']}", json={"title": ""}).status_code == 422
    assert api.post("/conversations", json={"title": "t" * 201}).status_code == 422
    assert api.get("/conversations", params={"limit": 0}).status_code == 422
    bad_cursor = api.get("/conversations", params={"cursor": "%%%"})
    assert bad_cursor.status_code == 400
    assert "cursor" in bad_cursor.json()["detail"]


def test_a_message_must_come_as_json(api: httpx.Client):
    """A form or a text body is refused (a page elsewhere cannot post one), `+json` accepted."""
    conversation = new_conversation(api)
    messages = f"/conversations/{conversation['id']}/messages"
    body = b'{"message": "typed [[sim tokens=2]]"}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"content-type": content_type} if content_type else {}
        response = api.post(messages, content=body, headers=headers)
        assert response.status_code == 422, content_type
        assert response.json()["detail"][0]["loc"] == ["body"]
    assert api.get(messages).json()["data"] == []
    accepted = api.post(
        messages, content=body, headers={"content-type": "application/vnd.api+json; charset=utf-8"}
    )
    assert accepted.status_code == 200
    assert accepted.json()["content"] == "typed [[sim tokens=2]]"


def test_a_body_that_is_not_json_is_a_422_that_does_not_repeat_it(api: httpx.Client):
    conversation = new_conversation(api)
    messages = f"/conversations/{conversation['id']}/messages"
    json = {"content-type": "application/json"}
    for body in (
        b'{"message": "caf\xe9"}',  # Latin-1, not UTF-8
        b'{"message": "\\ud800"}',  # half a surrogate pair: text no database stores
        b'{"message": "' + b"x" * 50_000,  # cut short
    ):
        response = api.post(messages, content=body, headers=json)
        assert response.status_code == 422, body[:24]
        assert response.json()["detail"][0]["type"] == "json_invalid"
        assert len(response.content) < 500  # where and why, not the body again
    empty = api.post(messages, content=b"", headers=json)
    assert empty.status_code == 422 and empty.json()["detail"][0]["type"] == "missing"
    assert api.get(messages).json()["data"] == []


# JSON the standard library reads but no column stores, or a 422 cannot repeat.
NOT_STRICT_JSON = (
    b'{"title": "\\ud800"}',  # half a surrogate pair
    b'{"title": NaN}',
    b'{"title": Infinity}',
    b'{"title": 1e999}',  # too large for a float
    b'{"title": "caf\xe9"}',  # Latin-1, not UTF-8
    b'{"title": "ok", "unknown": -Infinity}',
    b"[" * 5000 + b"]" * 5000,  # nested deeper than any body needs
)


def test_every_body_is_read_as_strict_json(api: httpx.Client, server: AppServer):
    conversation = new_conversation(api)
    cid = conversation["id"]
    question = post_message(api, cid, "hi [[sim tokens=2]]")
    api.get(f"/conversations/{cid}/stream")  # read to the answer's end
    before = api.get(f"/conversations/{cid}").json()
    bodies = {
        ("POST", "/conversations"): NOT_STRICT_JSON,
        ("PATCH", f"/conversations/{cid}"): NOT_STRICT_JSON,
        ("POST", f"/conversations/{cid}/regenerate"): [
            body.replace(b'"title"', b'"model"') for body in NOT_STRICT_JSON
        ],
        ("POST", f"/conversations/{cid}/messages/{question['id']}/edit"): [
            body.replace(b'"title"', b'"message"') for body in NOT_STRICT_JSON
        ],
    }
    for (method, path), variants in bodies.items():
        for body in variants:
            response = api.request(
                method, path, content=body, headers={"content-type": "application/json"}
            )
            assert response.status_code == 422, (method, path, body[:30])
            assert response.json()["detail"][0]["type"] == "json_invalid"
            assert len(response.content) < 500  # where and why, not the body again
    assert "Unexpected" not in server.log()
    assert api.get(f"/conversations/{cid}").json() == before


def test_every_route_that_reads_a_json_body_reads_it_strictly():
    routes = [route for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)]
    reading = [route for route in routes if route.body_field is not None]
    assert len(reading) >= 4  # create, update, regenerate, edit
    assert [route.path for route in reading if not isinstance(route, StrictJsonRoute)] == []


def test_an_upload_cut_off_midway_stores_nothing_and_is_no_server_error(
    api: httpx.Client, server: AppServer
):
    conversation = new_conversation(api)
    path = f"/conversations/{conversation['id']}/messages"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(head.encode() + b'{"message": "hel')
    time.sleep(0.5)  # nothing to wait for: a failure would be an ERROR line by now
    assert api.get(path).json()["data"] == []
    assert "ClientDisconnect" not in server.log()


def test_a_resume_point_in_the_query_must_be_a_whole_number(api: httpx.Client):
    conversation = new_conversation(api)
    post_message(api, conversation["id"], "hi [[sim tokens=2]]")
    stream = f"/conversations/{conversation['id']}/stream"
    for value in ("-1", "x", "1.5", "9" * 19, ""):
        response = api.get(stream, params={"last_event_id": value})
        assert response.status_code == 422, value
        detail = response.json()["detail"][0]
        assert detail["loc"] == ["query", "last_event_id"] and detail["msg"], value
    whole = api.get(stream, params={"last_event_id": "0"})
    assert whole.status_code == 200 and whole.text.startswith("id: 1\n")


def test_oversized_body_is_413(api: httpx.Client):
    conversation = new_conversation(api)
    response = api.patch(
        f"/conversations/{conversation['id']}",
        content=b'{"system_prompt": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        headers=JSON,
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is over 1048576 bytes."
    # A message may carry images: its limit is higher, and still a limit.
    response = api.post(
        f"/conversations/{conversation['id']}/messages",
        content=b'{"message": "' + b"x" * (29 * 1024 * 1024) + b'"}',
        headers=JSON,
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is over 29360128 bytes."


def test_health(api: httpx.Client):
    assert api.get("/health").json() == {
        "status": "ok",
        "database": "ok",
        "redis": "unused",
        "upstream_configured": True,
    }


def test_no_cross_origin_access_unless_configured(api: httpx.Client):
    response = api.get("/conversations", headers={"Origin": "http://localhost:5173"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_the_configured_origins_and_never_reflects_a_foreign_one(
    start_server: Callable[..., AppServer],
):
    server = start_server(cors_origins="http://localhost:5173, http://ui.example")
    with httpx.Client(base_url=server.url, timeout=30) as api:
        allowed = api.options(
            "/conversations",
            headers={"Origin": "http://ui.example", "Access-Control-Request-Method": "POST"},
        )
        assert allowed.headers.get("access-control-allow-origin") == "http://ui.example"
        foreign = api.get("/conversations", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in foreign.headers
        preflight = api.options(
            "/conversations",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.headers.get("access-control-allow-origin") != "https://evil.example"


def test_security_headers(api: httpx.Client):
    response = api.get("/health")
    assert response.headers["x-content-type-options"] == "nosniff"
    csp = response.headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )


def test_openapi_describes_the_contract(api: httpx.Client):
    spec = api.get("/openapi.json").json()
    paths = spec["paths"]
    expected = {
        "/health": {"get"},
        "/models": {"get"},
        "/conversations": {"get", "post"},
        "/conversations/{conversation_id}": {"get", "patch", "delete"},
        "/conversations/{conversation_id}/messages": {"get", "post"},
        "/conversations/{conversation_id}/stream": {"get"},
        "/attachments/{attachment_id}": {"get"},
        "/conversations/{conversation_id}/regenerate": {"post"},
        "/conversations/{conversation_id}/stop": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    message = spec["components"]["schemas"]["MessageOut"]["properties"]
    for field in (
        "id",
        "message_id",
        "role",
        "content",
        "model",
        "timestamp",
        "status",
        "error",
        "usage",
    ):
        assert field in message
    stream = paths["/conversations/{conversation_id}/stream"]["get"]
    assert "text/event-stream" in stream["responses"]["200"]["content"]
    # The answer's two routes read their input by hand; the docs still say what they read.
    assert {(p["in"], p["name"]) for p in stream["parameters"]} == {
        ("path", "conversation_id"),
        ("query", "model"),
        ("query", "last_event_id"),
        ("header", "Last-Event-ID"),
    }
    post = paths["/conversations/{conversation_id}/messages"]["post"]
    assert post["requestBody"]["required"] is True
    body = post["requestBody"]["content"]["application/json"]["schema"]
    components = spec["components"]["schemas"]
    assert body == {"$ref": "#/components/schemas/MessageCreate"}
    assert components["MessageCreate"]["required"] == ["message"]
    assert set(components["MessageCreate"]["properties"]) == {
        "message",
        "model",
        "client_message_id",
        "attachments",
    }
    references = re.findall(r'"\$ref": ?"([^"]+)"', json.dumps(spec))
    assert references and all(  # no reference left dangling
        ref.startswith("#/components/schemas/") and ref.rpartition("/")[2] in components
        for ref in references
    )
    assert [p["name"] for p in post["parameters"]] == ["conversation_id"]
    for operation in (stream, post):
        assert "422" in operation["responses"]
    for methods in paths.values():  # what the guard answers, anywhere
        for operation in methods.values():
            assert {"400", "403", "413"} <= set(operation["responses"])
    assert api.get("/docs").status_code == 200


def test_odd_input_is_a_4xx_never_a_500(api: httpx.Client):
    conversation = new_conversation(api)
    cid = conversation["id"]
    assert (
        api.post(f"/conversations/{cid}/messages", json={"message": "nul \x00 inside"}).status_code
        == 422
    )
    assert api.patch(f"/conversations/{cid}", json={"title": "a\x00b"}).status_code == 422
    assert api.post("/conversations", json={"system_prompt": "\x00"}).status_code == 422
    for model in ("m\n2026-11-27 05:00:00,000 CRITICAL forged", "m\r\nX-Evil: 1", "a\tb"):
        for method, path, body in [
            ("POST", "/conversations", {"default_model": model}),
            ("PATCH", f"/conversations/{cid}", {"default_model": model}),
            ("POST", f"/conversations/{cid}/messages", {"message": "hi", "model": model}),
            ("POST", f"/conversations/{cid}/regenerate", {"model": model}),
        ]:
            response = api.request(method, path, json=body)
            assert response.status_code == 422, (method, path, model)
            assert "control characters" in response.json()["detail"][0]["msg"]
        streamed = api.get(f"/conversations/{cid}/stream", params={"model": model})
        assert streamed.status_code == 422, model
        assert streamed.json()["detail"][0]["loc"] == ["query", "model"]
    nul_cursor = base64.urlsafe_b64encode(b"2026-11-27T05:06:58+00:00|\x00").decode()
    for method, path in [
        ("GET", "/conversations/%00"),
        ("PATCH", "/conversations/a%00b"),
        ("DELETE", "/conversations/a%00b"),
        ("GET", "/conversations/a%00b/stream"),
        ("POST", "/conversations/a%00b/messages"),
        ("GET", "/conversations?q=%00"),
        ("GET", "/conversations?q=a%00zzz"),
    ]:
        response = api.request(method, path, json={"title": "x", "message": "x"})
        assert response.status_code == 400, (method, path)
        assert response.json() == {"detail": "The address must not contain NUL characters."}
    response = api.get("/conversations", params={"cursor": nul_cursor})
    assert response.status_code == 400 and "cursor" in response.json()["detail"]
    post_message(api, cid, "hi [[sim tokens=2]]")
    for header in ("²", "9" * 5000, "-3", "abc"):
        response = api.get(
            f"/conversations/{cid}/stream", headers={"Last-Event-ID": header.encode("latin-1")}
        )
        assert response.status_code == 200, header
        assert response.text.startswith("id: 1\n")


def test_chunked_oversize_body_is_413(api: httpx.Client):
    conversation = new_conversation(api)

    def body(size: int):
        yield b'{"message": "'
        for _ in range(size // 65536):
            yield b"x" * 65536
        yield b'"}'

    for path, size in (
        (f"/conversations/{conversation['id']}/messages", 29 * 1024 * 1024),
        ("/conversations", 2 * 1024 * 1024),
    ):
        response = api.post(path, content=body(size), headers={"content-type": "application/json"})
        assert response.status_code == 413, path
        assert "body is over" in response.json()["detail"]
    small = api.post(
        f"/conversations/{conversation['id']}/messages",
        content=iter([b'{"message": "chunked [[sim tokens=2]]"}']),
        headers={"content-type": "application/json"},
    )
    assert small.status_code == 200 and small.json()["content"] == "chunked [[sim tokens=2]]"


def test_a_chat_may_set_the_temperature_its_answers_are_sampled_at(
    api: httpx.Client, sim: httpx.Client
):
    conversation = new_conversation(api, temperature=0.3)
    cid = conversation["id"]
    assert conversation["temperature"] == 0.3
    post_message(api, cid, "Warm?")
    read_stream(api, cid)
    assert completion_requests(sim)[-1]["body"]["temperature"] == 0.3

    renamed = api.patch(f"/conversations/{cid}", json={"title": "Still warm"}).json()
    assert renamed["temperature"] == 0.3, "a patch without it keeps it"
    reset = api.patch(f"/conversations/{cid}", json={"temperature": None}).json()
    assert reset["temperature"] is None
    post_message(api, cid, "Default?")
    read_stream(api, cid)
    assert "temperature" not in completion_requests(sim)[-1]["body"], "null: the model's own"
    assert api.get(f"/conversations/{cid}").json()["temperature"] is None

    assert api.post(f"/conversations/{cid}/regenerate").status_code == 200
    read_stream(api, cid)
    assert "temperature" not in completion_requests(sim)[-1]["body"]
    api.patch(f"/conversations/{cid}", json={"temperature": 1.2})
    assert api.post(f"/conversations/{cid}/regenerate").status_code == 200
    read_stream(api, cid)
    assert completion_requests(sim)[-1]["body"]["temperature"] == 1.2, "a regenerated answer"
    zero = api.patch(f"/conversations/{cid}", content=b'{"temperature": -0.0}', headers=JSON)
    assert zero.json()["temperature"] == 0 and not str(zero.json()["temperature"]).startswith("-")

    for wrong in (2.5, -0.1, "hot", "0.5", True, float("inf")):
        body = json.dumps({"temperature": wrong}, allow_nan=True)
        refused = api.patch(f"/conversations/{cid}", content=body, headers=JSON)
        assert refused.status_code == 422, wrong
    assert api.post("/conversations", json={"temperature": 3}).status_code == 422
    assert new_conversation(api)["temperature"] is None


def test_a_refused_body_that_is_not_json_is_not_repeated(api: httpx.Client):
    cid = new_conversation(api)["id"]
    for body in (b"x" * 5_000, b"\xff\xfe not text"):
        refused = api.patch(
            f"/conversations/{cid}", content=body, headers={"content-type": "text/plain"}
        )
        assert refused.status_code == 422, body[:20]
        assert len(refused.content) < 1_000 and b"xxxx" not in refused.content
