"""`python -m bench.instructions`: the app's own work, counted in CPU instructions.

Timings on a shared virtual machine move by up to a factor of two from one half hour to the
next; an instruction count does not (callgrind counts the same for the same run, whatever
else the machine does), so two versions compare in one number each. The real app runs
in-process on uvloop, called through ASGI (no uvicorn, no browser sockets), on SQLite with
INFO logging, against the simulator over real HTTP; callgrind counts only around the measured
answers. Then the whole server (`openchat serve`: uvicorn, its HTTP parsing and sockets) is
counted over short answers asked one after another on one connection, as the benchmark's
time-to-first-token phase asks them. Run it in each checkout to compare two versions; with
`--redis URL`, the same answers are counted shared through that Redis, as several servers
share them (`REDIS_URL`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import uvloop

from bench.answers import StreamRecord, create_conversations, relay_answer, sim_directive
from bench.client import Connection
from bench.processes import (
    API_KEY,
    HOST,
    Processes,
    Service,
    free_port,
    server_argv,
    server_env,
    simulator_argv,
    wait_ready,
)


@dataclass(frozen=True)
class Workload:
    """Answers of `tokens` tokens at `tps` (0: unpaced), `together` at a time, `rounds` times."""

    name: str
    tokens: int
    tps: float
    together: int
    rounds: int

    @property
    def answers(self) -> int:
        return self.together * self.rounds


SHORT = Workload("short answers", tokens=8, tps=0, together=1, rounds=50)
PACED = Workload("paced answers", tokens=100, tps=20, together=5, rounds=2)
WORKLOADS = {workload.name: workload for workload in (SHORT, PACED)}
WARMUP_ANSWERS = 20
SERVER_ANSWERS = 100  # counted through `openchat serve`, SHORT answers one after another
SERVER_START_LIMIT = 300.0  # seconds: under callgrind, Python starts some 50 times slower


async def _call(app: Any, method: str, path: str, body: bytes = b"") -> bytes:
    """One request through the app's ASGI interface; the response body."""
    headers = [(b"host", b"bench")]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "server": (HOST, 80),
        "client": (HOST, 1),
    }
    requested = False
    finished = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": body, "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    parts: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            parts.append(message.get("body", b""))

    await app(scope, receive, send)
    finished.set()
    return b"".join(parts)


async def _conversation(app: Any) -> str:
    conversation: str = orjson.loads(await _call(app, "POST", "/conversations", b"{}"))["id"]
    return conversation


async def _answer(app: Any, conversation: str, text: str) -> None:
    """Post a message and read its answer's stream to the end, as the web app does."""
    message = orjson.dumps({"message": text})
    await _call(app, "POST", f"/conversations/{conversation}/messages", message)
    stream = await _call(app, "GET", f"/conversations/{conversation}/stream")
    if b'"type":"done"' not in stream:
        raise RuntimeError(f"an answer did not end with `done`: {stream[-200:]!r}")


def _counting(on: bool, pid: int | None = None) -> None:
    subprocess.run(
        ["callgrind_control", "-i", "on" if on else "off", str(pid or os.getpid())],
        check=True,
        stdout=subprocess.DEVNULL,
    )


async def _child(workload: Workload, upstream: str, database: Path, redis: str | None) -> None:
    """Inside callgrind: warm up, then count the workload's answers."""
    from pydantic import SecretStr

    from openchat.app import create_app  # the measured code, imported where it is measured
    from openchat.logs import configure_logging
    from openchat.settings import Settings

    configure_logging("INFO")  # as `openchat serve` logs
    settings = Settings(
        openrouter_api_key=SecretStr(API_KEY),
        openrouter_base_url=upstream,
        database_url=f"sqlite:///{database}",
        redis_url=SecretStr(redis) if redis else None,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = create_app(settings)
    text = sim_directive(workload.tokens, workload.tps)
    async with app.router.lifespan_context(app):
        for _ in range(WARMUP_ANSWERS):
            await _answer(app, await _conversation(app), sim_directive(SHORT.tokens, SHORT.tps))
        conversations = [await _conversation(app) for _ in range(workload.answers)]  # not counted
        _counting(True)
        for start in range(0, workload.answers, workload.together):
            batch = conversations[start : start + workload.together]
            await asyncio.gather(*(_answer(app, conversation, text) for conversation in batch))
        _counting(False)


def _total(profile: Path) -> int:
    """The instruction total callgrind wrote at the end of its output file."""
    for line in reversed(profile.read_text().splitlines()):
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise RuntimeError(f"no instruction total in {profile}")


def _under_callgrind(profile: Path) -> list[str]:
    """`python -m` under callgrind, counting nothing until told to, writing to `profile`."""
    return [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={profile}",
        sys.executable,
        "-m",
    ]


def _count(workload: Workload, upstream: str, work_dir: Path, redis: str | None) -> int:
    profile = work_dir / f"callgrind-{workload.tokens}.out"
    database = work_dir / f"app-{workload.tokens}.db"
    argv = [
        *_under_callgrind(profile),
        "bench.instructions",
        "--child",
        workload.name,
        "--upstream",
        upstream,
        "--database",
        str(database),
        *(["--redis", redis] if redis else []),
    ]
    log = work_dir / f"child-{workload.tokens}.log"
    with log.open("wb") as output:
        done = subprocess.run(argv, stdout=output, stderr=subprocess.STDOUT, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"the counted run failed:\n{log.read_text()[-2000:]}")
    return _total(profile)


async def _server_answers(server: Service) -> None:
    """Warm up, then count SERVER_ANSWERS short answers over one keep-alive connection."""
    await wait_ready(server, "/health", SERVER_START_LIMIT)
    conversations = await create_conversations(server.port, WARMUP_ANSWERS + SERVER_ANSWERS)
    text = sim_directive(SHORT.tokens, SHORT.tps)
    connection = await Connection.open(HOST, server.port)
    try:
        for conversation in conversations[:WARMUP_ANSWERS]:
            await relay_answer(connection, conversation, text, StreamRecord())
        _counting(True, server.pid)
        for conversation in conversations[WARMUP_ANSWERS:]:
            await relay_answer(connection, conversation, text, StreamRecord())
        await asyncio.sleep(0.5)  # the last answer's final save, after its `done`
        _counting(False, server.pid)
    finally:
        connection.close()


def _count_server(
    processes: Processes, simulator_port: int, work_dir: Path, redis: str | None
) -> int:
    """`openchat serve` under callgrind; its instructions over the counted answers."""
    profile = work_dir / "callgrind-server.out"
    port = free_port()
    env = server_env(simulator_port, work_dir / "server.db")
    if redis:
        env["REDIS_URL"] = redis
    log_name = "server.log"
    process = processes.spawn(
        "server", [*_under_callgrind(profile), *server_argv(port)], env, log_name
    )
    server = Service("server", process, port, processes.log_dir / log_name, 0.0)
    asyncio.run(_server_answers(server))
    processes.stop(process.pid, grace=60.0)  # callgrind writes its counts as the server exits
    return _total(profile)


def _measure(redis: str | None) -> int:
    missing = [tool for tool in ("valgrind", "callgrind_control") if shutil.which(tool) is None]
    if missing:
        sys.stderr.write(f"needs {' and '.join(missing)} (Debian package valgrind)\n")
        return 2
    with tempfile.TemporaryDirectory(prefix="openchat-instructions-") as folder:
        work_dir = Path(folder)
        processes = Processes(work_dir / "logs")
        try:
            port = free_port()
            env = server_env(port, work_dir / "unused.db")
            simulator = processes.start_service("simulator", simulator_argv(port), env, port)
            asyncio.run(wait_ready(simulator, "/api/v1/models", 30.0))
            upstream = f"http://{HOST}:{port}/api/v1"
            per_answer = {
                workload: _count(workload, upstream, work_dir, redis) / workload.answers
                for workload in (SHORT, PACED)
            }
            per_served_answer = _count_server(processes, port, work_dir, redis) / SERVER_ANSWERS
        finally:
            processes.stop_all()
    per_token = (per_answer[PACED] - per_answer[SHORT]) / (PACED.tokens - SHORT.tokens)
    rows: list[tuple[str, float]] = [
        (f"per answer of {SHORT.tokens} tokens, one at a time, through ASGI", per_answer[SHORT]),
        (
            f"per answer of {PACED.tokens} tokens at {PACED.tps:g}/s, {PACED.together} at once, "
            "through ASGI",
            per_answer[PACED],
        ),
        ("per further token (the difference)", per_token),
        (
            f"per answer of {SHORT.tokens} tokens, one at a time, through uvicorn",
            per_served_answer,
        ),
    ]
    shared = " (answers shared through Redis)" if redis else ""
    sys.stdout.write(f"app instructions (callgrind){shared}\n")
    for label, value in rows:
        sys.stdout.write(f"{label:<58} {value:>14,.0f}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    parser.add_argument("--child", choices=sorted(WORKLOADS), help=argparse.SUPPRESS)
    parser.add_argument("--upstream", help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--redis", metavar="URL", help="share the answers through this Redis, as REDIS_URL does"
    )
    args = parser.parse_args(argv)
    if args.child:  # on uvloop, as uvicorn runs the server
        uvloop.run(_child(WORKLOADS[args.child], args.upstream, args.database, args.redis))
        return 0
    return _measure(args.redis)


if __name__ == "__main__":
    sys.exit(main())
