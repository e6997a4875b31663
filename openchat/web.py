"""Serves the built web app at `/`: static assets, and index.html for client routes
such as `/c/{id}`, without ever shadowing an API path."""

from __future__ import annotations

import os
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.convertors import PathConvertor, register_url_convertor
from starlette.types import Scope

API_PREFIXES = ("conversations", "models", "health", "docs", "redoc", "openapi.json")
FOREVER = "public, max-age=31536000, immutable"


class WebPath(PathConvertor):
    """A path of the web app's: any path but the API's, which the app's shell never answers
    (an unknown API path is a 404 for every method, not a 405 for all but GET)."""

    regex = f"(?!(?:{'|'.join(map(re.escape, API_PREFIXES))})(?:/|$)).*"


register_url_convertor("web", WebPath())


class HashedAssets(StaticFiles):
    """The build names every asset after a hash of its content: a browser may keep each for good."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = FOREVER
        return response


def mount_web(app: FastAPI, dist: Path) -> None:
    """Serve `dist` if the web app was built; the API works the same either way."""
    index = dist / "index.html"
    if not index.is_file():
        return
    if (dist / "assets").is_dir():
        app.mount("/assets", HashedAssets(directory=dist / "assets"), name="assets")
    root = dist.resolve()

    @app.get("/{path:web}", include_in_schema=False)
    async def web_app(path: str) -> FileResponse:
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            return FileResponse(candidate)
        # Client routes get the app shell; it must never be cached, its assets may be.
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
