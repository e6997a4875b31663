"""EventStreamResponse: frames written in order, and a reader who leaves ends the response
quietly, even while it waits for the next frame."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from openchat.api.event_stream import EventStreamResponse
from openchat.middleware import FRAME_SEND

SCOPE: dict[str, Any] = {"type": "http", "method": "GET", "path": "/", "headers": []}


class Peer:
    """The server side of one connection: what was sent, and a switch for leaving."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.gone = asyncio.Event()
        self._requested = False

    async def receive(self) -> dict[str, Any]:
        if not self._requested:
            self._requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")


async def test_frames_are_written_in_order_and_the_response_ends():
    async def frames() -> AsyncIterator[bytes]:
        for index in range(3):
            yield b"data: %d\n\n" % index

    peer = Peer()
    await EventStreamResponse(frames())(SCOPE, peer.receive, peer.send)
    assert peer.sent[0]["type"] == "http.response.start"
    assert (b"content-type", b"text/event-stream; charset=utf-8") in peer.sent[0]["headers"]
    assert peer.body == b"data: 0\n\ndata: 1\n\ndata: 2\n\n"
    assert peer.sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


async def test_frames_skip_the_wrappers_once_the_response_started():
    async def frames() -> AsyncIterator[bytes]:
        yield b"data: 0\n\n"

    wrapped, outer = Peer(), Peer()
    scope = {**SCOPE, FRAME_SEND: outer.send}
    await EventStreamResponse(frames())(scope, wrapped.receive, wrapped.send)
    assert [m["type"] for m in wrapped.sent] == ["http.response.start"]  # headers added there
    assert outer.body == b"data: 0\n\n" and outer.sent[-1]["more_body"] is False


async def test_a_reader_who_leaves_ends_a_waiting_response_quietly():
    closed = asyncio.Event()

    async def frames() -> AsyncIterator[bytes]:
        try:
            yield b"data: first\n\n"
            await asyncio.Event().wait()  # an answer that has gone quiet
            yield b"never"
        finally:
            closed.set()

    peer = Peer()
    response = asyncio.create_task(EventStreamResponse(frames())(SCOPE, peer.receive, peer.send))
    await asyncio.sleep(0.01)
    peer.gone.set()
    await asyncio.wait_for(response, 1.0)  # returns, without raising CancelledError
    assert not response.cancelled() and response.exception() is None
    assert closed.is_set()
    assert peer.body == b"data: first\n\n"


async def test_a_cancellation_from_elsewhere_still_cancels_and_stops_the_writer():
    closed = asyncio.Event()

    async def frames() -> AsyncIterator[bytes]:
        try:
            await asyncio.Event().wait()
            yield b"never"
        finally:
            closed.set()

    peer = Peer()
    response = asyncio.create_task(EventStreamResponse(frames())(SCOPE, peer.receive, peer.send))
    await asyncio.sleep(0.01)
    response.cancel()  # as at server shutdown
    with pytest.raises(asyncio.CancelledError):
        await response
    await asyncio.sleep(0)
    assert closed.is_set()  # the writer did not outlive its request


async def test_frames_are_written_by_a_task_of_their_own():
    """Not the request's task, whose every resumption passes through the whole ASGI stack."""
    writers: set[asyncio.Task[Any] | None] = set()

    async def frames() -> AsyncIterator[bytes]:
        for index in range(3):
            yield b"data: %d\n\n" % index

    peer = Peer()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            writers.add(asyncio.current_task())
        await peer.send(message)

    request = asyncio.create_task(EventStreamResponse(frames())(SCOPE, peer.receive, send))
    await request
    assert len(writers) == 1 and request not in writers
    assert peer.body == b"data: 0\n\ndata: 1\n\ndata: 2\n\n"


async def test_frames_are_closed_when_the_reader_leaves_during_a_write():
    closed = asyncio.Event()

    async def frames() -> AsyncIterator[bytes]:
        try:
            while True:
                yield b"data: x\n\n"
        finally:
            closed.set()

    peer = Peer()
    stalled = asyncio.Event()

    async def slow_send(message: dict[str, Any]) -> None:
        peer.sent.append(message)
        if message["type"] == "http.response.body":
            await stalled.wait()  # the socket's buffer is full: flow control holds the write

    response = asyncio.create_task(EventStreamResponse(frames())(SCOPE, peer.receive, slow_send))
    await asyncio.sleep(0.01)
    peer.gone.set()
    await asyncio.wait_for(response, 1.0)
    assert closed.is_set()


async def test_a_shutdown_together_with_a_leaving_reader_still_cancels():
    async def frames() -> AsyncIterator[bytes]:
        await asyncio.Event().wait()
        yield b"never"

    peer = Peer()
    response: asyncio.Task[None] | None = None

    async def receive() -> dict[str, Any]:
        message = await peer.receive()
        if message["type"] == "http.disconnect":
            assert response is not None
            asyncio.get_running_loop().call_soon(response.cancel)  # the server stops too
        return message

    response = asyncio.create_task(EventStreamResponse(frames())(SCOPE, receive, peer.send))
    await asyncio.sleep(0.01)
    peer.gone.set()
    with pytest.raises(asyncio.CancelledError):
        await response


async def test_a_failing_listener_is_logged_and_the_frames_still_go_out(
    caplog: pytest.LogCaptureFixture,
):
    async def frames() -> AsyncIterator[bytes]:
        yield b"data: 0\n\n"
        await asyncio.sleep(0.02)
        yield b"data: 1\n\n"

    peer = Peer()

    async def receive() -> dict[str, Any]:
        await peer.receive()  # the request
        raise RuntimeError("the server's receive broke")

    await EventStreamResponse(frames())(SCOPE, receive, peer.send)
    assert peer.body == b"data: 0\n\ndata: 1\n\n"
    assert "Listening for the end of a stream failed: RuntimeError" in caplog.text
