"""The `openchat` command: `openchat serve [--host H] [--port P]` runs the app on uvicorn."""

from __future__ import annotations

import argparse
import logging
import resource
from collections.abc import Sequence

import uvicorn

from openchat.app import create_app
from openchat.settings import Settings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _raise_open_files_limit() -> None:
    # Each stream holds two sockets (browser and upstream); the default 1024 is too few.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def serve(host: str | None, port: int | None) -> None:
    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format=LOG_FORMAT)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # it logs every request at INFO
    _raise_open_files_limit()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        access_log=settings.log_level.upper() == "DEBUG",
        timeout_graceful_shutdown=5,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="openchat", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run the API and the web app")
    serve_parser.add_argument("--host", help="interface to listen on (default HOST or 127.0.0.1)")
    serve_parser.add_argument("--port", type=int, help="port (default PORT or 8001)")
    arguments = parser.parse_args(argv)
    if arguments.command == "serve":
        serve(arguments.host, arguments.port)


if __name__ == "__main__":
    main()
