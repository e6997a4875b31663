"""Fixtures for the simulator tests: one real simulator process per test module, an httpx
client talking to it over real sockets, and helpers to send chats and split SSE bodies."""

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from openchat.simulator.runner import RunningSimulator

API_KEY = "sk-or-v1-" + "0123456789abcdef" * 4

# Short defaults keep the suite fast; tests that need pacing ask for it with a directive.
DEFAULTS = {"tokens": 12, "tps": 400, "ttft": 0.05, "keepalive_interval": 0.02}

Chat = Callable[..., httpx.Response]


@pytest.fixture(scope="module")
def simulator() -> Iterator[RunningSimulator]:
    with RunningSimulator(defaults=DEFAULTS) as simulator:
        yield simulator


@pytest.fixture
def client(simulator: RunningSimulator) -> Iterator[httpx.Client]:
    simulator.reset()
    headers = {"Authorization": f"Bearer {API_KEY}", "HTTP-Referer": "https://openchat.test"}
    with httpx.Client(base_url=simulator.base_url, headers=headers, timeout=5) as http:
        yield http
    httpx.delete(f"{simulator.root_url}/_sim/config").raise_for_status()


def chat_body(text: str, *, stream: bool = True, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": "openai/gpt-4o-mini",
        "stream": stream,
        "max_tokens": 1024,
        "messages": [
            {"role": "system", "content": "You are concise."},
            {"role": "user", "content": text},
        ],
    }
    body.update(extra)
    return body


@pytest.fixture
def chat(client: httpx.Client) -> Chat:
    """POST a chat completion whose last user message is `text`; the body is read in full."""

    def send(text: str, *, stream: bool = True, **extra: Any) -> httpx.Response:
        return client.post("/chat/completions", json=chat_body(text, stream=stream, **extra))

    return send


def split_events(raw: str, separator: str = "\n\n") -> list[str]:
    """The SSE events of a complete body; the body must end with a separator."""
    assert raw.endswith(separator), raw[-200:]
    return raw[: -len(separator)].split(separator)


def data_chunks(events: list[str]) -> list[dict[str, Any]]:
    """The JSON objects of the `data:` events, in order ([DONE] and comments left out)."""
    return [json.loads(event[6:]) for event in events if event.startswith("data: {")]


def content_of(chunks: list[dict[str, Any]]) -> str:
    return "".join(
        chunk["choices"][0]["delta"].get("content") or "" for chunk in chunks if chunk["choices"]
    )


@pytest.fixture
def records(simulator: RunningSimulator) -> Callable[[], list[dict[str, Any]]]:
    return simulator.requests


class Sse:
    """SSE helpers, handed to tests by the `sse` fixture (test modules never import conftest)."""

    split = staticmethod(split_events)
    data = staticmethod(data_chunks)
    content = staticmethod(content_of)
    body = staticmethod(chat_body)


@pytest.fixture
def sse() -> type[Sse]:
    return Sse
