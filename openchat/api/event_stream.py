"""EventStreamResponse: relays an answer's frames from a task that does nothing else.

Under ASGI 2.3 (uvicorn's), Starlette's StreamingResponse runs its body in an anyio task
group beside a disconnect listener: a task group and a cancel scope per stream. Here one
plain task writes the frames, one `receive` waits beside it and, when the browser leaves,
cancels the writer; the request's task waits for the writer and then ends quietly.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.responses import AsyncContentStream, StreamingResponse
from starlette.types import Message, Receive, Scope, Send

from openchat.middleware import FRAME_SEND

log = logging.getLogger(__name__)


class EventStreamResponse(StreamingResponse):
    """`text/event-stream` of already-encoded frames; ends when they end or the reader leaves."""

    media_type = "text/event-stream"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        task = asyncio.current_task()
        assert task is not None  # an ASGI app always runs in a task
        # The frames are written by a task of their own: a task resumes every coroutine it
        # awaits through, and the request's own goes through some twenty (server, framework,
        # middleware, routing), on every frame. The start goes through the wrappers (they add
        # headers), the frames after it straight to the server.
        writer = asyncio.create_task(
            _write(
                {
                    "type": "http.response.start",
                    "status": self.status_code,
                    "headers": self.raw_headers,
                },
                send,
                self.body_iterator,
                scope.get(FRAME_SEND, send),
            )
        )
        reader_left = False

        def listened(listener: asyncio.Future[None]) -> None:
            nonlocal reader_left
            if listener.cancelled():
                return
            if (error := listener.exception()) is not None:
                log.warning("Listening for the end of a stream failed: %s", type(error).__name__)
            elif not writer.done():
                reader_left = True
                writer.cancel()

        left = asyncio.ensure_future(_disconnected(receive))
        left.add_done_callback(listened)
        try:
            await writer  # cancelling the request (a server shutdown) cancels the writer too
        except asyncio.CancelledError:
            if not reader_left or task.cancelling():
                raise  # not (only) ours: the server is shutting down
            # The reader left: nothing more to write, and nothing went wrong.
        finally:
            left.cancel()
        if self.background is not None:
            await self.background()


async def _write(start: Message, send: Send, frames: AsyncContentStream, send_frame: Send) -> None:
    try:
        await send(start)
        async for frame in frames:
            await send_frame({"type": "http.response.body", "body": frame, "more_body": True})
        await send_frame({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        close = getattr(frames, "aclose", None)
        if close is not None:  # a reader who left mid-write leaves the frames suspended
            await close()


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
