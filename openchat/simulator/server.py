"""The simulated OpenRouter service: routes requests under /api/v1 and /_sim, answers the
simple ones, starts completions, and owns the catalogue, knobs and journal.
"""

import asyncio
import logging
import time
from collections.abc import Callable

import orjson

from openchat.simulator.answers import AnswerBook
from openchat.simulator.catalog import Catalog
from openchat.simulator.connection import HttpConnection, HttpRequest, Responder
from openchat.simulator.envelopes import USER_ID, ErrorReply, plain_error
from openchat.simulator.journal import Journal, RequestRecord
from openchat.simulator.planner import (
    Planner,
    Refusal,
    authorize,
    new_generation_id,
    parse_json,
)
from openchat.simulator.script import Options, Script, ScriptError, configure, describe
from openchat.simulator.stream import Completion
from openchat.simulator.ticker import Ticker

log = logging.getLogger(__name__)

Route = Callable[[HttpRequest, Responder], None]


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    """uvloop when installed (it comes with uvicorn[standard]): much cheaper per write."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop
    return uvloop.new_event_loop


def _json(body: object) -> bytes:
    return orjson.dumps(body)


class Simulator:
    """Answers every request; one instance serves all connections of one event loop."""

    def __init__(self, script: Script, options: Options, *, tick: float = 0.005) -> None:
        self.catalog = Catalog()
        self._planner = Planner(self.catalog, AnswerBook())
        self.journal = Journal()
        self.defaults = script
        self.options = options
        self._initial = (script, options)
        self._tick = tick
        self._ticker: Ticker | None = None
        self._connections: set[HttpConnection] = set()
        self._routes: dict[tuple[str, str], Route] = {
            ("GET", "/api/v1/models"): self._list_models,
            ("GET", "/api/v1/models/user"): self._list_user_models,
            ("GET", "/api/v1/models/count"): self._count_models,
            ("POST", "/api/v1/chat/completions"): self._complete,
            ("GET", "/api/v1/key"): self._key,
            ("GET", "/api/v1/auth/key"): self._key,
            ("GET", "/api/v1/credits"): self._credits,
            ("GET", "/api/v1/generation"): self._generation,
            ("GET", "/_sim/requests"): self._requests,
            ("DELETE", "/_sim/requests"): self._reset_requests,
            ("GET", "/_sim/stats"): self._stats,
            ("GET", "/_sim/config"): self._config,
            ("POST", "/_sim/config"): self._configure,
            ("DELETE", "/_sim/config"): self._reset_config,
            ("GET", "/_sim/health"): self._health,
        }
        self._paths = {path for _, path in self._routes}

    async def serve(self, host: str, port: int) -> asyncio.Server:
        """Listen on host:port (0 picks a free port) on the running loop."""
        loop = asyncio.get_running_loop()
        self._ticker = Ticker(loop, self._tick)
        return await loop.create_server(
            self._accept,
            host,
            port,
            backlog=4096,
            reuse_address=True,
        )

    def _accept(self) -> HttpConnection:
        self.journal.connections += 1
        return HttpConnection(self.handle, self._connections)

    async def close(self) -> None:
        """Close every client connection and the ticker (the listening server is the caller's)."""
        for connection in list(self._connections):
            connection.close()
        if self._ticker is not None:
            self._ticker.close()
        await asyncio.sleep(0)  # let the transports report connection_lost

    def handle(self, request: HttpRequest, responder: Responder) -> None:
        path = request.path.rstrip("/") or "/"
        route = self._routes.get((request.method, path))
        if route is not None:
            route(request, responder)
        elif request.method == "GET" and path.startswith("/api/v1/model/"):
            self._one_model(path.removeprefix("/api/v1/model/"), responder)
        elif path in self._paths:
            self._send_error(responder, plain_error(405, "Method Not Allowed"))
        else:
            self._send_error(responder, plain_error(404, "Not Found"))

    # chat completions

    def _complete(self, request: HttpRequest, responder: Responder) -> None:
        record = RequestRecord(
            id=new_generation_id(),
            path=request.path,
            headers=request.headers,
            body=parse_json(request.body),
            received_at=time.time(),
        )
        self.journal.receive(record)
        try:
            plan = self._planner.plan(request.headers, record, self.defaults, self.options)
        except Refusal as refusal:
            record.status = refusal.reply.status
            self.journal.settle(record, "error")
            self._send_error(responder, refusal.reply)
            return
        assert self._ticker is not None
        Completion(plan, responder, self._ticker, self.journal, record).start()

    # account endpoints

    def _authorized(self, request: HttpRequest, responder: Responder) -> str | None:
        try:
            return authorize(request.headers, self.options.require_key)
        except Refusal as refusal:
            self._send_error(responder, refusal.reply)
            return None

    def _key(self, request: HttpRequest, responder: Responder) -> None:
        key = self._authorized(request, responder)
        if key is None:
            return
        spent = self.journal.spend(key)
        limit = self.options.key_limit
        data = {
            "label": f"{key[:12]}...{key[-3:]}" if len(key) > 15 else key,
            "limit": limit,
            "limit_remaining": None if limit is None else limit - spent,
            "limit_reset": None,
            "include_byok_in_limit": False,
            "usage": spent,
            "usage_daily": spent,
            "usage_weekly": spent,
            "usage_monthly": spent,
            "byok_usage": 0,
            "byok_usage_daily": 0,
            "byok_usage_weekly": 0,
            "byok_usage_monthly": 0,
            "is_free_tier": False,
            "is_management_key": key == self.options.management_key,
            "is_provisioning_key": False,
            "expires_at": None,
            "creator_user_id": USER_ID,
            "rate_limit": {"requests": -1, "interval": "10s", "note": "deprecated"},
        }
        responder.send(200, _json({"data": data}))

    def _credits(self, request: HttpRequest, responder: Responder) -> None:
        key = self._authorized(request, responder)
        if key is None:
            return
        if key != self.options.management_key:
            reply = plain_error(403, "Only management keys can perform this operation")
            self._send_error(responder, reply)
            return
        total_usage = self.journal.spend(key)
        data = {"total_credits": 100.0, "total_usage": total_usage}
        responder.send(200, _json({"data": data}))

    def _generation(self, request: HttpRequest, responder: Responder) -> None:
        if self._authorized(request, responder) is None:
            return
        gen_id = request.query.get("id", "")
        if not gen_id:
            self._send_error(responder, plain_error(400, "id is required"))
            return
        data = self.journal.generation(gen_id, self.options.generation_misses)
        if data is None:
            self._send_error(responder, plain_error(404, f"Generation {gen_id} not found"))
            return
        responder.send(200, _json({"data": data}))

    # model list

    def _list_models(self, request: HttpRequest, responder: Responder) -> None:
        if "offset" not in request.query and "limit" not in request.query:
            responder.send(200, self.catalog.list_body)
            return
        try:
            offset = max(0, int(request.query.get("offset", "0")))
            limit = min(1000, max(1, int(request.query.get("limit", "500"))))
        except ValueError:
            self._send_error(responder, plain_error(400, "offset and limit must be integers"))
            return
        responder.send(200, self.catalog.page(offset, limit))

    def _list_user_models(self, request: HttpRequest, responder: Responder) -> None:
        if self._authorized(request, responder) is not None:
            responder.send(200, self.catalog.list_body)

    def _count_models(self, _: HttpRequest, responder: Responder) -> None:
        responder.send(200, _json({"data": {"count": len(self.catalog.entries)}}))

    def _one_model(self, model_id: str, responder: Responder) -> None:
        entry = self.catalog.find(model_id)
        if entry is None:
            self._send_error(responder, plain_error(404, f"Model {model_id} not found"))
            return
        responder.send(200, _json({"data": entry.record}))

    # /_sim control

    def _requests(self, _: HttpRequest, responder: Responder) -> None:
        responder.send(200, self.journal.records_body())

    def _reset_requests(self, _: HttpRequest, responder: Responder) -> None:
        self.journal.reset()
        responder.send(204, b"")

    def _stats(self, _: HttpRequest, responder: Responder) -> None:
        responder.send(200, _json(self.journal.stats()))

    def _config(self, _: HttpRequest, responder: Responder) -> None:
        responder.send(200, _json(describe(self.defaults, self.options)))

    def _configure(self, request: HttpRequest, responder: Responder) -> None:
        values = parse_json(request.body)
        if not isinstance(values, dict):
            self._send_error(responder, plain_error(400, "config must be a JSON object"))
            return
        try:
            self.defaults, self.options = configure(self.defaults, self.options, values)
        except ScriptError as error:
            self._send_error(responder, plain_error(400, str(error)))
            return
        log.info("configuration changed: %s", sorted(values))
        self._config(request, responder)

    def _reset_config(self, request: HttpRequest, responder: Responder) -> None:
        self.defaults, self.options = self._initial
        self._config(request, responder)

    def _health(self, _: HttpRequest, responder: Responder) -> None:
        responder.send(200, b'{"status":"ok"}')

    @staticmethod
    def _send_error(responder: Responder, reply: ErrorReply) -> None:
        # Live error bodies arrive chunked with no Content-Length; clients must cope.
        responder.send(
            reply.status,
            reply.body,
            content_type=reply.content_type,
            headers=reply.headers,
            chunked=True,
        )
