"""Shared fixtures: the OpenRouter simulator and the real app server, over real sockets."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from openchat.simulator.runner import RunningSimulator
from tests.servers import REDIS_SERVER, AppServer, PrivateRedis, fresh_database

# Fast defaults for the suite; a test slows or breaks one answer with a `[[sim ...]]` directive.
SIMULATOR_DEFAULTS = {"tokens": 12, "tps": 400.0, "ttft": 0.0}


@pytest.fixture(scope="session")
def simulator_url() -> Iterator[str]:
    """The simulator's root URL (its OpenRouter API is under /api/v1)."""
    with RunningSimulator(defaults=SIMULATOR_DEFAULTS) as simulator:
        yield simulator.root_url


@pytest.fixture
def sim(simulator_url: str) -> Iterator[httpx.Client]:
    """A client for the simulator's observation endpoints, with its request log cleared."""
    with httpx.Client(base_url=simulator_url, timeout=10) as client:
        client.delete("/_sim/requests").raise_for_status()
        client.post("/_sim/config", json=SIMULATOR_DEFAULTS).raise_for_status()
        yield client


@pytest.fixture
def start_server(
    simulator_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., AppServer]]:
    """Start app servers (each on its own fresh database unless one is given); stop them all after."""
    started: list[AppServer] = []
    databases: list[Any] = []

    def start(database_url: str | None = None, **settings: str) -> AppServer:
        folder = tmp_path_factory.mktemp("server")
        if database_url is None:
            database = fresh_database(folder)
            database_url = database.__enter__()
            databases.append(database)
        settings.setdefault("openrouter_base_url", f"{simulator_url}/api/v1")
        server = AppServer(database_url, folder / "server.log", **settings)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()
    for database in databases:
        database.__exit__(None, None, None)


@pytest.fixture(scope="module")
def server(simulator_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """One app server shared by a test module."""
    folder = tmp_path_factory.mktemp("shared-server")
    with fresh_database(folder) as database_url:
        app = AppServer(
            database_url,
            folder / "server.log",
            openrouter_base_url=f"{simulator_url}/api/v1",
            stream_ping_interval="0.3",
            app_url="https://openchat.test",
            app_title="Open Chat Tests",
        ).start()
        yield app
        app.stop()


@pytest.fixture
def api(server: AppServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def new_conversation(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = api.post("/conversations", json=fields)
    assert response.status_code == 201, response.text
    return dict(response.json())


def post_message(
    api: httpx.Client, conversation_id: str, text: str, **fields: Any
) -> dict[str, Any]:
    response = api.post(
        f"/conversations/{conversation_id}/messages", json={"message": text, **fields}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def last_message(api: httpx.Client, conversation_id: str) -> dict[str, Any]:
    """The newest message of the conversation's current thread, as stored."""
    return dict(api.get(f"/conversations/{conversation_id}").json()["messages"][-1])


def unique() -> str:
    return uuid.uuid4().hex[:8]


def completion_requests(sim: httpx.Client) -> list[dict[str, Any]]:
    return list(sim.get("/_sim/requests").json())


def assert_logs_clean(log: str, *secrets: str) -> None:
    """No key, no traceback and no SQL in a log."""
    for forbidden in ("Traceback", "sk-or-v1-test", "SELECT ", "INSERT INTO", *secrets):
        assert forbidden not in log, f"{forbidden!r} leaked into the log"


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis the servers share in the tests (REDIS_TEST_URL; by default database 15 of a
    local Redis). Missing, its tests are skipped, unless REQUIRE_REDIS asks for them (CI)."""
    import redis

    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        where = url.rpartition("@")[2]  # without what it may hold of a password
        reason = f"Redis is not reachable at {where} ({type(error).__name__})"
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"{reason}, and REQUIRE_REDIS is set")
        pytest.skip(f"{reason}: the tests of servers sharing answers are skipped")
    return url


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A Redis of the test's own, to stop and start (Debian's redis-server package)."""
    if REDIS_SERVER is None:
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail("redis-server is not installed, and REQUIRE_REDIS is set")
        pytest.skip("redis-server is not installed: the tests of a Redis outage are skipped")
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.stop()
