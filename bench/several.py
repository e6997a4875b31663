"""`python -m bench.several`: what reading an answer from another server costs.

Two servers (`openchat serve`, one worker each, INFO logs) share a new PostgreSQL database
and Redis, as behind a load balancer, against the simulator. C answers at once (starts spread
over a second), each posted to the first server and streamed from a server: the same one,
then the other, which relays the copy the first keeps in Redis. The figures of the two runs
side by side: completed answers, share of the ideal tokens/s, p99 gap between arrivals, first
token p50/p99 and the two servers' CPU-seconds per 1,000 tokens. The client runs in this
process. Needs PostgreSQL (PG_URL) and Redis (REDIS_URL); writes artifacts/bench/several.json.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import orjson

from bench.answers import (
    StreamRecord,
    create_conversations,
    guarded,
    relay_answer,
    sim_directive,
)
from bench.client import Connection
from bench.processes import (
    HOST,
    Processes,
    Service,
    free_port,
    raise_open_files_limit,
    server_argv,
    server_env,
    simulator_argv,
    wait_ready,
)
from bench.procstat import cpu_seconds, process_tree
from bench.stats import summarize

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/14"
RAMP = 1.0  # seconds over which the answers start
MODES = ("same server", "across servers")


async def _answer(
    post_port: int, stream_port: int, conversation: str, text: str, record: StreamRecord
) -> None:
    """POST the message to one server, read the answer's stream from another (or the same)."""
    poster = await Connection.open(HOST, post_port)
    reader = await Connection.open(HOST, stream_port)
    try:
        await relay_answer(poster, conversation, text, record, reader)
    finally:
        poster.close()
        reader.close()


async def _run(
    servers: list[Service], across: bool, count: int, tokens: int, tps: float
) -> dict[str, Any]:
    first, second = servers
    conversations = await create_conversations(first.port, count)
    pids = [pid for server in servers for pid in process_tree(server.pid)]
    records = [StreamRecord() for _ in range(count)]
    text = sim_directive(tokens, tps)
    limit = tokens / tps * 4 + 30
    cpu_before = cpu_seconds(pids)
    began = time.perf_counter()

    async def one(index: int) -> None:
        await asyncio.sleep(max(0.0, began + RAMP * index / count - time.perf_counter()))
        stream_port = second.port if across else first.port
        answer = _answer(first.port, stream_port, conversations[index], text, records[index])
        await guarded(answer, records[index], limit)

    await asyncio.gather(*(one(index) for index in range(count)))
    cpu = cpu_seconds(pids) - cpu_before
    delivered = sum(record.tokens for record in records)
    rate = sum(r.tokens / (r.end - r.start) for r in records if r.end > r.start)
    arrivals = [
        (b - a) * 1000
        for record in records
        for a, b in itertools.pairwise(sorted(set(record.chunk_times)))
    ]
    first_token = [(r.chunk_times[0] - r.start) * 1000 for r in records if r.chunk_times]
    return {
        "completed": sum(1 for record in records if record.completed),
        "share_of_ideal": rate / (count * tps),
        "arrival_gap_ms": summarize(arrivals),
        "first_token_ms": summarize(first_token),
        "cpu_s_per_1k_tokens": cpu / delivered * 1000 if delivered else float("nan"),
        "errors": sorted({record.error for record in records if record.error})[:5],
    }


async def _database(admin_url: str) -> str:
    name = f"openchat_bench_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(admin_url, timeout=5)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}"


async def _drop(admin_url: str, url: str) -> None:
    connection = await asyncpg.connect(admin_url, timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await connection.close()


async def _bench(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    processes = Processes(work / "logs")
    database = await _database(args.pg_url)
    try:
        port = free_port()
        simulator = processes.start_service(
            "simulator", simulator_argv(port), server_env(port, work / "unused.db"), port
        )
        await wait_ready(simulator, "/api/v1/models", 30.0)
        servers = []
        for index in range(2):
            env = server_env(port, work / "unused.db")
            env.update(DATABASE_URL=database, REDIS_URL=args.redis_url)
            server_port = free_port()
            server = processes.start_service(
                f"server-{index + 1}", server_argv(server_port), env, server_port
            )
            await wait_ready(server, "/health", 60.0)
            servers.append(server)
        results = {}
        for mode in MODES:
            results[mode] = await _run(
                servers, mode == MODES[1], args.concurrency, args.tokens, args.tps
            )
            await asyncio.sleep(1.0)  # the last final saves and copies
        return results
    finally:
        processes.stop_all()
        await _drop(args.pg_url, database)


def _table(results: dict[str, Any]) -> str:
    same, across = (results[mode] for mode in MODES)
    rows = [
        ("completed", "completed", "{:,.0f}"),
        ("share of ideal tokens/s", "share_of_ideal", "{:.1%}"),
        ("p99 gap between arrivals, ms", ("arrival_gap_ms", "p99"), "{:.1f}"),
        ("first token p50, ms", ("first_token_ms", "p50"), "{:.1f}"),
        ("first token p99, ms", ("first_token_ms", "p99"), "{:.1f}"),
        ("servers' CPU-s per 1,000 tokens", "cpu_s_per_1k_tokens", "{:.4f}"),
    ]
    lines = [f"{'':34} {MODES[0]:>16} {MODES[1]:>16}"]
    for label, key, form in rows:

        def value(figures: dict[str, Any], key: Any = key, form: str = form) -> str:
            found = figures[key[0]][key[1]] if isinstance(key, tuple) else figures[key]
            return form.format(found)

        lines.append(f"{label:34} {value(same):>16} {value(across):>16}")
    for mode in MODES:
        if results[mode]["errors"]:
            lines.append(f"{mode} errors: {results[mode]['errors']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.several", description=__doc__)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--tps", type=float, default=50.0)
    parser.add_argument("--pg-url", default=PG_URL, help=f"an admin URL (default {PG_URL})")
    parser.add_argument("--redis-url", default=REDIS_URL, help=f"default {REDIS_URL}")
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "bench" / "several.json")
    args = parser.parse_args(argv)
    raise_open_files_limit()
    with tempfile.TemporaryDirectory(prefix="openchat-several-") as folder:
        results = asyncio.run(_bench(args, Path(folder)))
    sys.stdout.write(
        f"{args.concurrency} answers of {args.tokens} tokens at {args.tps:g}/s, posted to one "
        "server, streamed from it or from the other\n" + _table(results) + "\n"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(orjson.dumps({"settings": vars(args) | {"out": str(args.out)}, **results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
