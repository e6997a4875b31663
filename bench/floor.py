"""The floor: the least a relay on the server's own stack can cost.

A bare ASGI app on the same server (uvicorn with httptools, one worker, on the app's event
loop, `openchat.serving`) that passes each
upstream read of a completion stream straight to the client: no framework, no parsing,
no storage, no fan-out, and the app's upstream connections (`openchat.upstream.http1`) with
nothing above them. The benchmark runs
it beside the relay so the relay's cost reads against this floor, not only against the
simulator called directly. Run it with `python -m bench.floor --port P`; FLOOR_UPSTREAM is
the simulator's `/api/v1` URL.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from starlette.types import Receive, Scope, Send

from openchat import serving
from openchat.origin import Origin
from openchat.upstream.http1 import ConnectionPool, request_head
from openchat.upstream.openrouter import KEEPALIVE_SECONDS, POOL_WAIT

FORWARDED = ("authorization", "content-type")


class _Floor:
    def __init__(self) -> None:
        self.upstream = os.environ.get("FLOOR_UPSTREAM", "").rstrip("/")
        self.pool: ConnectionPool | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._relay(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # No connection limit to speak of: the simulator is the only peer.
                self.pool = ConnectionPool(
                    Origin.of(self.upstream),
                    None,
                    limit=100_000,
                    connect_timeout=10.0,
                    pool_wait=POOL_WAIT,
                    keepalive=KEEPALIVE_SECONDS,
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _relay(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.pool is not None
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        path = scope["path"].removeprefix("/api/v1")
        target = self.pool.origin.base_path.rstrip("/") + path
        headers = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name.decode("latin-1").lower() in FORWARDED
        }
        head = request_head(scope["method"], target, headers)
        reply = await self.pool.request(head + b"Content-Length: %d\r\n\r\n" % len(body), body)
        content_type = reply.headers.get("content-type", "application/json").encode()
        start = {
            "type": "http.response.start",
            "status": reply.status,
            "headers": [(b"content-type", content_type)],
        }
        await send(start)
        reads: asyncio.Queue[bytes] = asyncio.Queue()
        reply.end.add_done_callback(lambda _: reads.put_nowait(b""))
        reply.stream(reads.put_nowait)
        try:
            while data := await reads.get():
                await send({"type": "http.response.body", "body": data, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            reply.abort()  # a reader who left: the rest of the body is not wanted


app = _Floor()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    serving.serve(
        app, arguments.host, arguments.port, http="httptools", access_log=False, log_level="warning"
    )


if __name__ == "__main__":
    main()
