"""The outer guards: an unexpected failure is a plain 500 JSON, logged by type only."""

from __future__ import annotations

import asyncio
import gc
import logging
import weakref
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import Message

from openchat.api.event_stream import EventStreamResponse
from openchat.app import OpenChatApp
from openchat.middleware import Guard


async def test_unexpected_errors_leak_nothing(caplog: pytest.LogCaptureFixture):
    app = FastAPI()

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("SELECT secret FROM keys WHERE key = 'sk-or-v1-abc'")

    app.add_middleware(Guard, max_body_bytes=1024)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    with caplog.at_level(logging.DEBUG):
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            response = await client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error."}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "RuntimeError" in caplog.text
    for leaked in ("SELECT", "sk-or-v1-abc", "Traceback"):
        assert leaked not in caplog.text
        assert leaked not in response.text


class _ServerCycle:
    """A request as uvicorn holds it: the scope, and the send bound to the same object."""

    def __init__(self, path: str) -> None:
        self.scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"app")],
            "server": ("127.0.0.1", 80),
            "client": ("127.0.0.1", 1),
        }
        self.sent: list[Message] = []
        self.asked = False

    async def receive(self) -> Message:
        if not self.asked:
            self.asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)  # the client stays until the response ends
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        self.sent.append(message)


@pytest.mark.parametrize("path", ["/json", "/stream"])
async def test_a_request_leaves_no_reference_cycle(path: str):
    """Freed as soon as it ends, not by the collector: at a thousand streams, its passes over
    every request's leftovers paused them all."""

    async def frames() -> AsyncIterator[bytes]:
        yield b"data: 1\n\n"

    app = OpenChatApp()  # its frames go past the middleware, to the server's send
    app.get("/json")(lambda: {"ok": True})
    app.get("/stream")(lambda: EventStreamResponse(frames()))
    app.add_middleware(Guard, max_body_bytes=1024)
    cycle = _ServerCycle(path)
    gc.collect()
    gc.disable()
    try:
        await app(cycle.scope, cycle.receive, cycle.send)
        assert cycle.sent[0]["status"] == 200
        assert cycle.sent[-1].get("more_body", False) is False
        freed = weakref.ref(cycle)
        del cycle
        for _ in range(3):  # the stream's listener, cancelled, ends on the loop's next turns
            await asyncio.sleep(0)
        assert freed() is None, "the request is held in a reference cycle"
    finally:
        gc.enable()
