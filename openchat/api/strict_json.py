"""Request bodies read as strict JSON on every route, as the hot routes read theirs.

Starlette reads a body with the standard library, which takes `NaN`, `Infinity`, a number
too large for a float and a lone surrogate (`"\\ud800"`): values a text column cannot store
or a 422 cannot repeat, so they ended as a 500. orjson refuses them, and bytes that are not
UTF-8 or nest too deeply, with the JSONDecodeError that FastAPI turns into its 422.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute


class StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = orjson.loads(await self.body())
        return self._json


class StrictJsonRoute(APIRoute):
    """A route whose request reads its JSON body with orjson."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict
