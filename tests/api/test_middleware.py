"""The outer guards: an unexpected failure is a plain 500 JSON, logged by type only."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi import FastAPI

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
