"""Start-up: a database or a Redis that cannot be reached, or an invalid setting, stops the
server with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.servers import ROOT, free_port


def serve(*arguments: str, **environment: str) -> tuple[int, str]:
    """Run `openchat serve` until it exits; its status and everything it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "openchat", "serve", *arguments],
        cwd=ROOT,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stdout + done.stderr


def test_unreachable_database_fails_cleanly():
    status, output = serve(
        "--port",
        str(free_port()),
        DATABASE_URL="postgresql+asyncpg://someone:hunter2@127.0.0.1:1/nowhere",
        OPENROUTER_API_KEY="sk-or-v1-startup",
    )
    assert status == 1
    assert "Cannot open the database postgresql+asyncpg://someone:***@127.0.0.1:1/nowhere" in output
    for leaked in ("hunter2", "Traceback", "sk-or-v1-startup"):
        assert leaked not in output


def test_unreachable_redis_fails_cleanly(tmp_path):
    status, output = serve(
        "--port",
        str(free_port()),
        DATABASE_URL=f"sqlite:///{tmp_path / 'chat.db'}",
        REDIS_URL="redis://:hunter2@127.0.0.1:1/0",
        OPENROUTER_API_KEY="sk-or-v1-startup",
    )
    assert status == 1
    assert "Cannot reach Redis at 127.0.0.1 (ConnectionError)" in output
    for leaked in ("hunter2", "Traceback", "sk-or-v1-startup"):
        assert leaked not in output


def test_invalid_settings_stop_the_server_with_one_line_each_and_no_value():
    status, output = serve(
        PORT="eighty",
        APP_TITLE="Open\rChat",
        OPENROUTER_API_KEY="sk-or-v1-startup\x07",
        CORS_ORIGINS="https://ui.example/app",
        REDIS_URL="http://:hunter2@cache:6379",
    )
    assert status == 2
    assert "Invalid setting PORT: Input should be a valid integer" in output
    assert "Invalid setting APP_TITLE: the value must be one line of text" in output
    assert "Invalid setting OPENROUTER_API_KEY: the key must be one line of text" in output
    assert "Invalid setting CORS_ORIGINS: each origin must be a scheme and a host" in output
    assert "Invalid setting REDIS_URL: must start with redis://, rediss:// or unix://" in output
    for leaked in ("sk-or-v1-startup", "Traceback", "eighty", "hunter2"):
        assert leaked not in output
