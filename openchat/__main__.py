"""The `openchat` command: `openchat serve [--host H] [--port P]` runs the app on uvicorn;
`openchat demo` runs it against the bundled OpenRouter simulator, offline and without a key."""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import sys
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError
from sqlalchemy.engine import make_url

from openchat import serving
from openchat.app import create_app
from openchat.logs import configure_logging
from openchat.settings import Settings
from openchat.storage.database import UnsupportedDatabase, migrate, open_database

log = logging.getLogger("openchat")


def _raise_open_files_limit() -> None:
    # Each stream holds two sockets (browser and upstream); the default 1024 is too few.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _database_ready(database_url: str) -> bool:
    """Open the database and apply migrations once, to fail with one clear line, not a trace."""

    async def prepare() -> None:
        database = open_database(database_url)
        try:
            await migrate(database)
        finally:
            await database.dispose()

    try:
        asyncio.run(prepare())
    except Exception as error:
        where = make_url(database_url).render_as_string(hide_password=True)
        # Only our own message: a driver's may carry SQL text or credentials.
        why = str(error) if isinstance(error, UnsupportedDatabase) else type(error).__name__
        log.error("Cannot open the database %s (%s)", where, why)
        return False
    return True


def _redis_ready(url: str) -> bool:
    """Reach Redis once, to fail with one clear line, not a trace."""
    from openchat.chat.shared import connect  # only servers that share Redis import its client

    async def ping() -> None:
        client = connect(url)
        try:
            await client.ping()
        finally:
            await client.aclose(close_connection_pool=True)

    try:
        asyncio.run(ping())
    except Exception as error:
        # The URL may hold a password: name only where it points.
        where = urlsplit(url).hostname or "its socket"
        log.error("Cannot reach Redis at %s (%s)", where, type(error).__name__)
        return False
    return True


def serve(host: str | None, port: int | None, **overrides: Any) -> None:
    settings = _settings(**overrides)
    configure_logging(settings.log_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the demo polls its simulator with it
    if not _database_ready(settings.database_url):
        raise SystemExit(1)
    if settings.redis_url is not None and not _redis_ready(settings.redis_url.get_secret_value()):
        raise SystemExit(1)
    _raise_open_files_limit()
    serving.serve(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        access_log=settings.log_level.upper() == "DEBUG",
        timeout_graceful_shutdown=5,
    )


def _settings(**overrides: Any) -> Settings:
    """The settings, or exit 2 with one line per invalid one (never its value: it may be a key)."""
    try:
        return Settings(**overrides)
    except ValidationError as invalid:
        for error in invalid.errors():
            name = ".".join(str(part) for part in error["loc"]).upper()
            reason = error["msg"].removeprefix("Value error, ")
            sys.stderr.write(f"Invalid setting {name}: {reason}\n")
        raise SystemExit(2) from None


def demo(host: str | None, port: int | None) -> None:
    """The app against a local simulator on a free port, in a database of its own."""
    # Imported here: `serve` starts sooner without the simulator's imports.
    from openchat.simulator.runner import RunningSimulator

    with RunningSimulator() as simulator:
        serve(
            host,
            port,
            openrouter_base_url=simulator.base_url,
            openrouter_api_key="sk-demo-simulator",
            database_url=_settings().database_url.replace("openchat.db", "demo.db"),
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="openchat", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, summary in (
        ("serve", "run the API and the web app"),
        ("demo", "run against the bundled OpenRouter simulator (offline, no key)"),
    ):
        sub = commands.add_parser(name, help=summary)
        sub.add_argument("--host", help="interface to listen on (default HOST or 127.0.0.1)")
        sub.add_argument("--port", type=int, help="port (default PORT or 8001)")
    arguments = parser.parse_args(argv)
    if arguments.command == "serve":
        serve(arguments.host, arguments.port)
    elif arguments.command == "demo":
        demo(arguments.host, arguments.port)


if __name__ == "__main__":
    main()
