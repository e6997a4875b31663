"""The floor: the least a relay on the server's own stack can cost.

A bare ASGI app on the same server (uvicorn with httptools, one worker, on the app's event
loop, `openchat.serving`) that passes each
upstream read of a completion stream straight to the client: no framework, no parsing,
no storage, no fan-out, and aiohttp's reader with nothing above it. The benchmark runs
it beside the relay so the relay's cost reads against this floor, not only against the
simulator called directly. Run it with `python -m bench.floor --port P`; FLOOR_UPSTREAM is
the simulator's `/api/v1` URL.
"""

from __future__ import annotations

import argparse
import os

import aiohttp
from starlette.types import Receive, Scope, Send

from openchat import serving

FORWARDED = ("authorization", "content-type")


class _Floor:
    def __init__(self) -> None:
        self.upstream = os.environ.get("FLOOR_UPSTREAM", "").rstrip("/")
        self.session: aiohttp.ClientSession | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._relay(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # No cookie jar and no connection limit: the simulator is the only peer.
                self.session = aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(limit=0),
                    cookie_jar=aiohttp.DummyCookieJar(),
                    timeout=aiohttp.ClientTimeout(total=None),  # streams last as long as asked
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.session is not None:
                    await self.session.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _relay(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.session is not None
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = {
            name.decode(): value.decode()
            for name, value in scope["headers"]
            if name.decode().lower() in FORWARDED
        }
        path = scope["path"].removeprefix("/api/v1")
        url = self.upstream + path
        async with self.session.request(scope["method"], url, data=body, headers=headers) as reply:
            content_type = reply.headers.get("content-type", "application/json").encode()
            start = {
                "type": "http.response.start",
                "status": reply.status,
                "headers": [(b"content-type", content_type)],
            }
            await send(start)
            content = reply.content
            while data := await content.readany():
                await send({"type": "http.response.body", "body": data, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


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
