"""Reading the app's answer stream in tests: a real HTTP client, parsed SSE events."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class StreamResult:
    events: list[tuple[int | None, dict[str, Any]]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    headers: httpx.Headers | None = None

    @property
    def types(self) -> list[str]:
        return [event["type"] for _, event in self.events]

    @property
    def text(self) -> str:
        return "".join(event["content"] for _, event in self.events if event["type"] == "chunk")

    @property
    def last(self) -> dict[str, Any]:
        return self.events[-1][1]

    @property
    def ids(self) -> list[int | None]:
        return [event_id for event_id, _ in self.events]


def read_stream(
    client: httpx.Client,
    conversation_id: str,
    last_event_id: int | None = None,
    max_chunks: int | None = None,
    timeout: float = 30.0,
    params: dict[str, str] | None = None,
) -> StreamResult:
    """Read the stream to its end, or disconnect after `max_chunks` chunk events."""
    headers = {"Accept": "text/event-stream"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    result = StreamResult()
    chunks = 0
    with client.stream(
        "GET",
        f"/conversations/{conversation_id}/stream",
        headers=headers,
        params=params,
        timeout=timeout,
    ) as response:
        result.headers = response.headers
        if response.status_code != 200:
            response.read()
            raise AssertionError(f"stream answered {response.status_code}: {response.text}")
        event_id: int | None = None
        data: list[str] = []
        for line in response.iter_lines():
            if line.startswith(":"):
                result.comments.append(line)
            elif line.startswith("id:"):
                event_id = int(line[3:].strip())
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif line == "" and data:
                event = json.loads("\n".join(data))
                result.events.append((event_id, event))
                data, event_id = [], None
                if event["type"] == "chunk":
                    chunks += 1
                    if max_chunks is not None and chunks >= max_chunks:
                        break
    return result
