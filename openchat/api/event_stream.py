"""EventStreamResponse: relays an answer's frames from the request's own task.

Under ASGI 2.3 (uvicorn's), Starlette's StreamingResponse runs its body in an anyio task
group beside a disconnect listener: a task group, a cancel scope and a second task per
stream. Here the frames are written by the request task itself; one `receive` waits beside
it and, when the browser leaves, cancels that task, which then ends quietly.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from openchat.middleware import FRAME_SEND

log = logging.getLogger(__name__)


class EventStreamResponse(StreamingResponse):
    """`text/event-stream` of already-encoded frames; ends when they end or the reader leaves."""

    media_type = "text/event-stream"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        task = asyncio.current_task()
        assert task is not None  # an ASGI app always runs in a task
        writing = True
        reader_left = False

        def listened(listener: asyncio.Future[None]) -> None:
            nonlocal reader_left
            if listener.cancelled():
                return
            if (error := listener.exception()) is not None:
                log.warning("Listening for the end of a stream failed: %s", type(error).__name__)
            elif writing:
                reader_left = True
                task.cancel()

        left = asyncio.ensure_future(_disconnected(receive))
        left.add_done_callback(listened)
        frames = self.body_iterator
        try:
            start = {"type": "http.response.start", "status": self.status_code}
            await send({**start, "headers": self.raw_headers})
            send_frame = scope.get(FRAME_SEND, send)  # past the wrappers, once started
            async for frame in frames:
                await send_frame({"type": "http.response.body", "body": frame, "more_body": True})
            await send_frame({"type": "http.response.body", "body": b"", "more_body": False})
        except asyncio.CancelledError:
            if not reader_left or task.uncancel():
                raise  # not (only) ours: the server is shutting down
            # The reader left: nothing more to write, and nothing went wrong.
        finally:
            writing = False
            left.cancel()
            close = getattr(frames, "aclose", None)
            if close is not None:  # a reader who left mid-write leaves the frames suspended
                await close()
        if self.background is not None:
            await self.background()


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
