"""EventStreamResponse: relays an answer's frames from the request's own task.

Under ASGI 2.3 (uvicorn's), Starlette's StreamingResponse runs its body in an anyio task
group beside a disconnect listener, which costs a task group per stream and a wrapper frame
per event. Here the frames are written by the request task itself; one `receive` waits
beside it and, when the browser leaves, cancels that task, which then ends quietly.
"""

from __future__ import annotations

import asyncio

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from openchat.middleware import FRAME_SEND


class EventStreamResponse(StreamingResponse):
    """`text/event-stream` of already-encoded frames; ends when they end or the reader leaves."""

    media_type = "text/event-stream"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        task = asyncio.current_task()
        assert task is not None  # an ASGI app always runs in a task
        writing = True

        def reader_left(_: object) -> None:
            if writing:
                task.cancel()

        left = asyncio.ensure_future(_disconnected(receive))
        left.add_done_callback(reader_left)
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            send_frame = scope.get(FRAME_SEND, send)  # past the wrappers, once started
            async for frame in self.body_iterator:
                await send_frame({"type": "http.response.body", "body": frame, "more_body": True})
            await send_frame({"type": "http.response.body", "body": b"", "more_body": False})
        except asyncio.CancelledError:
            if not left.done() or left.cancelled():
                raise  # not ours: the server is shutting down
            task.uncancel()  # the reader left: nothing more to write, and nothing went wrong
        finally:
            writing = False
            left.cancel()


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
