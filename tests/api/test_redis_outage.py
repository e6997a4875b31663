"""A server sharing answers through Redis, while that Redis goes away and comes back: clear
503s and a health check that says why, the answer being written kept, and no leak."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.conftest import assert_logs_clean, new_conversation, post_message
from tests.servers import REDIS_PASSWORD, AppServer, PrivateRedis
from tests.sse import read_stream


def test_a_redis_outage_is_a_clear_503_and_loses_nothing(
    start_server: Callable[..., AppServer], private_redis: PrivateRedis
):
    server = start_server(redis_url=private_redis.url, checkpoint_interval="0.2")
    with httpx.Client(base_url=server.url, timeout=30) as api:
        assert api.get("/health").json()["redis"] == "ok"
        conversation = new_conversation(api)["id"]
        post_message(api, conversation, "a long one [[sim tokens=120 tps=60]]")
        read_stream(api, conversation, max_chunks=3)

        private_redis.stop()
        # The answer being written goes on, here, to its end, and is stored.
        finished = read_stream(api, conversation)
        assert finished.last["status"] == "complete"
        health = api.get("/health")
        assert health.status_code == 503
        assert health.json() | {"upstream_configured": True} == {
            "status": "error",
            "database": "ok",
            "redis": "unavailable",
            "upstream_configured": True,
        }
        refused = api.post(f"/conversations/{conversation}/messages", json={"message": "next"})
        assert refused.status_code == 503
        assert refused.json() == {
            "detail": "Redis, which the servers share, cannot be reached. Try again shortly."
        }
        stored = api.get(f"/conversations/{conversation}").json()["messages"]
        assert [m["role"] for m in stored] == ["user", "assistant"]  # nothing half-stored

        private_redis.start()
        assert api.get("/health").json()["status"] == "ok"
        post_message(api, conversation, "next")
        assert read_stream(api, conversation).last["status"] == "complete"
    server.stop()
    assert_logs_clean(server.log(), REDIS_PASSWORD)
    assert "Redis" in server.log()  # the outage is logged, by its kind of error only
