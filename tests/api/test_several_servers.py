"""Two servers behind one load balancer: one PostgreSQL database, answers shared in Redis.

Any request may reach either server: an answer one writes is read, resumed, stopped and
deleted through the other, and neither starts a second answer while one runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.conftest import completion_requests, last_message, new_conversation, post_message
from tests.servers import ROOT, AppServer, postgres_url
from tests.sse import StreamResult, read_stream

pytestmark = pytest.mark.skipif(
    postgres_url() is None,
    reason="several servers share a PostgreSQL database: run with DATABASE_URL (make test-pg)",
)

SLOW = "[[sim tokens=200 tps=40]]"


@pytest.fixture
def pair(
    start_server: Callable[..., AppServer], redis_url: str
) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """Clients of two servers on one database and one Redis."""
    first = start_server(redis_url=redis_url, checkpoint_interval="0.2")
    second = start_server(
        database_url=first.env["DATABASE_URL"], redis_url=redis_url, checkpoint_interval="0.2"
    )
    with (
        httpx.Client(base_url=first.url, timeout=30) as one,
        httpx.Client(base_url=second.url, timeout=30) as other,
    ):
        yield one, other


def test_an_answer_written_by_one_server_streams_from_the_other(pair, sim):
    one, other = pair
    conversation = new_conversation(one)["id"]
    post_message(one, conversation, "hello [[sim tokens=100 tps=50]]")
    here, there = StreamResult(), StreamResult()
    reading = threading.Thread(target=lambda: _read_into(there, other, conversation))
    reading.start()
    here = read_stream(one, conversation)
    reading.join(timeout=30)
    assert here.types[0] == "start" and here.last["type"] == "done"
    assert here.last["status"] == "complete"
    assert there.events == here.events  # the same events, ids and all
    assert len(completion_requests(sim)) == 1  # one upstream request, whoever reads
    assert last_message(other, conversation)["content"] == here.text


def test_a_long_silence_elsewhere_is_waited_out(pair):
    """A model thinking for longer than any one blocking read of Redis (5 s) before its first
    token: the other server's stream waits, then relays the whole answer."""
    one, other = pair
    conversation = new_conversation(one)["id"]
    post_message(one, conversation, "think first [[sim ttft=6.5 tokens=5]]")
    relayed = read_stream(other, conversation)
    assert relayed.types[0] == "start" and relayed.last["status"] == "complete"
    assert relayed.text == last_message(one, conversation)["content"]


def test_a_stream_resumes_on_the_other_server_without_a_gap_or_a_repeat(pair):
    one, other = pair
    conversation = new_conversation(one)["id"]
    post_message(one, conversation, f"a long one {SLOW}")
    first_part = read_stream(one, conversation, max_chunks=10)
    rest = read_stream(other, conversation, last_event_id=first_part.ids[-1])
    assert rest.ids[0] == first_part.ids[-1] + 1
    assert rest.last["status"] == "complete"
    assert first_part.text + rest.text == last_message(one, conversation)["content"]


def test_the_other_server_refuses_a_second_answer_while_one_runs(pair):
    one, other = pair
    conversation = new_conversation(one)["id"]
    question = post_message(one, conversation, f"first {SLOW}")
    read_stream(one, conversation, max_chunks=2)
    path = f"/conversations/{conversation}"
    for response in (
        other.post(f"{path}/messages", json={"message": "second"}),
        other.post(f"{path}/regenerate"),
        other.post(f"{path}/messages/{question['id']}/edit", json={"message": "again"}),
    ):
        assert response.status_code == 409, response.text
        assert "still being written" in response.json()["detail"]
    done = read_stream(one, conversation)
    assert done.last["status"] == "complete"
    # Its end lets the next answer start anywhere, at once.
    post_message(other, conversation, "second")
    assert read_stream(one, conversation).last["status"] == "complete"


def test_a_stop_asked_of_the_other_server_stops_the_answer_and_keeps_its_text(pair, sim):
    one, other = pair
    conversation = new_conversation(one)["id"]
    post_message(one, conversation, f"a long one {SLOW}")
    partial = read_stream(one, conversation, max_chunks=5)
    response = other.post(f"/conversations/{conversation}/stop")
    assert response.status_code == 200, response.text
    stopped = response.json()
    assert stopped["status"] == "cancelled"
    assert stopped["content"].startswith(partial.text)
    assert _upstream_outcome(sim) == "cancelled"
    replay = read_stream(one, conversation)
    assert replay.last["status"] == "cancelled"
    assert other.post(f"/conversations/{conversation}/stop").status_code == 409


def test_deleting_through_the_other_server_stops_the_answer_first(pair, sim):
    one, other = pair
    conversation = new_conversation(one)["id"]
    post_message(one, conversation, f"a long one {SLOW}")
    read_stream(one, conversation, max_chunks=3)
    assert other.delete(f"/conversations/{conversation}").status_code == 204
    assert one.get(f"/conversations/{conversation}").status_code == 404
    assert _upstream_outcome(sim) == "cancelled"  # its upstream request was closed


def test_health_says_redis_is_shared(pair):
    one, _ = pair
    assert one.get("/health").json()["redis"] == "ok"


def _upstream_outcome(sim: httpx.Client) -> str:
    """What became of the one upstream request, once it is no longer running (or in 5 s)."""
    deadline = time.monotonic() + 5
    while (outcome := completion_requests(sim)[-1]["outcome"]) == "running":
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return str(outcome)


def _read_into(result: StreamResult, client: httpx.Client, conversation: str) -> None:
    streamed = read_stream(client, conversation)
    result.events, result.comments = streamed.events, streamed.comments


def test_the_benchmark_of_several_servers_runs(redis_url, tmp_path):
    """`python -m bench.several`, scaled down: both ways of reading complete every answer."""
    out = tmp_path / "several.json"
    admin = (postgres_url() or "").replace("+asyncpg", "")
    scaled = ("--concurrency", "5", "--tokens", "20", "--tps", "200")
    where = ("--pg-url", admin, "--redis-url", redis_url, "--out", str(out))
    done = subprocess.run(
        [sys.executable, "-m", "bench.several", *scaled, *where],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(out.read_text())
    for mode in ("same server", "across servers"):
        assert figures[mode]["completed"] == 5 and figures[mode]["errors"] == []
    assert "across servers" in done.stdout
