"""Real processes for the tests: the app server (`openchat serve`) on a free port, and a
fresh database for it (a SQLite file, or a new PostgreSQL database when DATABASE_URL says so)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from openchat.simulator.runner import free_port, wait_until_ready

ROOT = Path(__file__).resolve().parent.parent


def postgres_url() -> str | None:
    """The PostgreSQL server the suite should also run on, from DATABASE_URL."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgresql", "postgres")) else None


@contextmanager
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """A new empty database URL: a SQLite file, or a throw-away PostgreSQL database."""
    server = postgres_url()
    if server is None:
        yield f"sqlite:///{tmp_path / 'openchat.db'}"
        return
    import asyncio

    import asyncpg  # type: ignore[import-untyped]

    plain = server.replace("+asyncpg", "").replace("postgres://", "postgresql://")
    name = f"openchat_test_{uuid.uuid4().hex[:12]}"

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(plain)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    def run(statement: str) -> None:
        # In a thread of its own, so async tests (with a running loop) can use this too.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, admin(statement)).result()

    run(f'CREATE DATABASE "{name}"')
    base, _, _ = plain.rpartition("/")
    try:
        yield f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class AppServer:
    """`openchat serve` in a subprocess, started and stopped by the test that needs it."""

    def __init__(self, database_url: str, log_path: Path, **settings: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "OPENROUTER_API_KEY": "sk-or-v1-test",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **{name.upper(): value for name, value in settings.items()},
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20.0) -> AppServer:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "openchat",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if wait_until_ready(self.process, f"{self.url}/health", timeout):
            return self
        if self.process.poll() is not None:
            raise RuntimeError(f"openchat serve exited early:\n{self.log()}")
        self.stop()
        raise RuntimeError(f"openchat serve did not become healthy:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


REDIS_SERVER = shutil.which("redis-server")
REDIS_PASSWORD = "hunter2"  # never to be seen in a log
KEEP_NOTHING = ("--save", "", "--appendonly", "no", "--requirepass", REDIS_PASSWORD)


class PrivateRedis:
    """A Redis of the test's own, on a free port, keeping nothing on disk, that the test may
    stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://:{REDIS_PASSWORD}@127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> None:
        import redis

        assert REDIS_SERVER is not None
        self._process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", *KEEP_NOTHING],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("the test's redis-server did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None
