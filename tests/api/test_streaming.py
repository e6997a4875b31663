"""The answer stream: SSE framing and headers, pings, resume with Last-Event-ID, replay
without a second upstream call, stop, and reasoning."""

from __future__ import annotations

import time

import httpx

from tests.conftest import (
    assert_logs_clean,
    completion_requests,
    last_message,
    new_conversation,
    post_message,
)
from tests.servers import AppServer
from tests.sse import read_stream


def test_frames_have_increasing_ids_and_proxy_safe_headers(api: httpx.Client):
    conversation = new_conversation(api)
    post_message(api, conversation["id"], "hi [[sim tokens=8]]")
    stream = read_stream(api, conversation["id"])
    assert stream.headers is not None
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert stream.headers["cache-control"] == "no-cache"
    assert stream.headers["x-accel-buffering"] == "no"
    # The start passes every middleware, though the frames after it go straight to the server.
    assert stream.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in stream.headers["content-security-policy"]
    assert stream.ids == list(range(1, len(stream.ids) + 1))
    assert stream.events[0][1]["model"] == "openai/gpt-4o-mini"


def test_idle_stream_gets_comment_pings(api: httpx.Client):
    conversation = new_conversation(api)
    post_message(api, conversation["id"], "think first [[sim tokens=3 ttft=1.2]]")
    stream = read_stream(api, conversation["id"])
    assert stream.comments, "no keep-alive comment while the model was silent"
    assert stream.types[-1] == "done"


def test_reconnect_with_last_event_id_gets_every_chunk_exactly_once(
    api: httpx.Client, sim: httpx.Client
):
    conversation = new_conversation(api)
    post_message(api, conversation["id"], "count [[sim tokens=60 tps=60]]")
    first = read_stream(api, conversation["id"], max_chunks=10)
    last_id = first.ids[-1]
    assert last_id is not None
    second = read_stream(api, conversation["id"], last_event_id=last_id)
    assert second.ids[0] == last_id + 1
    chunks = [e for e in first.events + second.events if e[1]["type"] == "chunk"]
    assert len({event_id for event_id, _ in chunks}) == len(chunks)
    text = first.text + second.text
    stored = last_message(api, conversation["id"])
    assert stored["status"] == "complete"
    assert stored["content"] == text
    assert stored["usage"]["completion_tokens"] == 60
    assert len(completion_requests(sim)) == 1


def test_query_parameter_resume_after_the_end_is_exact(api: httpx.Client):
    conversation = new_conversation(api)
    post_message(api, conversation["id"], "short [[sim tokens=20 tps=200]]")
    whole = read_stream(api, conversation["id"])
    resumed = read_stream(api, conversation["id"], params={"last_event_id": "5"})
    assert resumed.ids[0] == 6
    assert [e for e in whole.events if e[0] and e[0] > 5] == resumed.events


def test_reconnect_after_the_end_replays_without_a_second_upstream_call(
    sim: httpx.Client, start_server
):
    # A fresh server holds no finished generation in memory: the replay comes from the database.
    server = start_server()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        conversation = new_conversation(client)
        post_message(client, conversation["id"], "tell me [[sim tokens=25 reasoning=5]]")
        live = read_stream(client, conversation["id"])
        server.stop()
        restarted = start_server(database_url=server.env["DATABASE_URL"])
        with httpx.Client(base_url=restarted.url, timeout=30) as again:
            replay = read_stream(again, conversation["id"])
            assert replay.types == ["start", "reasoning", "chunk", "done"]
            assert replay.text == live.text
            assert replay.events[1][1]["content"] == "".join(
                e["content"] for _, e in live.events if e["type"] == "reasoning"
            )
            assert replay.last["usage"] == live.last["usage"]
            assert len(completion_requests(sim)) == 1


def test_stop_closes_upstream_and_keeps_the_partial_text(api: httpx.Client, sim: httpx.Client):
    conversation = new_conversation(api)
    post_message(api, conversation["id"], "long [[sim tokens=400 tps=40]]")
    partial = read_stream(api, conversation["id"], max_chunks=5)
    stopped = api.post(f"/conversations/{conversation['id']}/stop")
    assert stopped.status_code == 200
    message = stopped.json()
    assert message["status"] == "cancelled"
    assert message["content"].startswith(partial.text) and len(message["content"]) >= len(
        partial.text
    )
    deadline = time.monotonic() + 5
    while completion_requests(sim)[-1]["outcome"] != "cancelled" and time.monotonic() < deadline:
        time.sleep(0.05)
    upstream = completion_requests(sim)[-1]
    assert upstream["outcome"] == "cancelled"
    assert upstream["chunks_sent"] < 400
    stored = last_message(api, conversation["id"])
    assert (stored["status"], stored["content"]) == ("cancelled", message["content"])
    replay = read_stream(api, conversation["id"])
    assert replay.last["type"] == "done" and replay.last["status"] == "cancelled"
    assert api.post(f"/conversations/{conversation['id']}/stop").status_code == 409


def test_subscriber_sees_the_stop(api: httpx.Client):
    conversation = new_conversation(api)
    post_message(api, conversation["id"], "long [[sim tokens=400 tps=50]]")
    read_stream(api, conversation["id"], max_chunks=3)
    api.post(f"/conversations/{conversation['id']}/stop")
    after = read_stream(api, conversation["id"])
    assert after.last["status"] == "cancelled"


def test_disconnecting_does_not_lose_the_answer(
    api: httpx.Client, sim: httpx.Client, server: AppServer
):
    conversation = new_conversation(api)
    post_message(api, conversation["id"], "go on [[sim tokens=30 tps=100]]")
    read_stream(api, conversation["id"], max_chunks=2)
    deadline = time.monotonic() + 10
    stored = None
    while time.monotonic() < deadline:
        stored = last_message(api, conversation["id"])
        if stored["status"] != "streaming":
            break
        time.sleep(0.1)
    assert stored is not None and stored["status"] == "complete"
    assert stored["usage"]["completion_tokens"] == 30
    assert completion_requests(sim)[-1]["outcome"] == "complete"
    assert_logs_clean(server.log())  # the reader's leaving is not an error


def test_reasoning_streams_before_the_answer_and_is_stored(api: httpx.Client):
    conversation = new_conversation(api)
    post_message(api, conversation["id"], "why [[sim tokens=5 reasoning=6]]")
    stream = read_stream(api, conversation["id"])
    kinds = [t for t in stream.types if t in ("reasoning", "chunk")]
    assert kinds[0] == "reasoning" and "chunk" in kinds
    assert kinds.index("chunk") > max(i for i, t in enumerate(kinds) if t == "reasoning")
    stored = last_message(api, conversation["id"])
    assert stored["reasoning"] == "".join(
        e["content"] for _, e in stream.events if e["type"] == "reasoning"
    )


def test_a_stored_answer_replays_as_it_was_despite_a_model_override(
    api: httpx.Client, sim: httpx.Client
):
    conversation = new_conversation(api)
    post_message(api, conversation["id"], "quick [[sim tokens=3]]")
    read_stream(api, conversation["id"])
    replay = read_stream(
        api, conversation["id"], params={"model": "meta-llama/llama-3.3-70b-instruct"}
    )
    assert replay.events[0][1]["model"] == "openai/gpt-4o-mini"  # stored answers replay as they are
    assert len(completion_requests(sim)) == 1


def test_an_id_kept_from_an_earlier_answer_never_skips_events_of_a_newer_one(api: httpx.Client):
    conversation = new_conversation(api)
    post_message(api, conversation["id"], "one [[sim tokens=30]]")
    first = read_stream(api, conversation["id"])
    stale = first.ids[-1]
    assert stale is not None and stale > 5
    post_message(api, conversation["id"], "two [[sim tokens=40 tps=100]]")
    # A browser's own reconnect after `done` of the first answer sends its last id.
    second = read_stream(api, conversation["id"], last_event_id=stale)
    assert second.types[0] == "start" and second.types[-1] == "done"
    assert second.ids[0] is not None and second.ids[0] > stale
    assert second.ids == list(range(second.ids[0], second.ids[0] + len(second.ids)))
    resumed = read_stream(api, conversation["id"], last_event_id=second.ids[4])
    assert resumed.events == second.events[5:]
    stored = last_message(api, conversation["id"])
    assert stored["content"] == second.text
