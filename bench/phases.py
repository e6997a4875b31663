"""Each measurement of the benchmark, as the orchestrator runs it.

A phase starts what it needs, hands the client work to worker processes,
reads the watched processes' CPU time and memory around the measured window,
and returns the figures. Every wait is bounded in time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from bench.answers import Target
from bench.client import Connection, HttpError
from bench.clients import ClientGroup
from bench.figures import Measurement, api_figures, raw_figures, streams_figures, ttft_figures
from bench.processes import (
    HOST,
    Processes,
    Service,
    floor_argv,
    floor_env,
    free_port,
    server_argv,
    server_env,
    simulator_argv,
    wait_ready,
)
from bench.procstat import BusiestSecond, RssSampler, cpu_seconds, process_tree, rss_mb
from bench.seed import seed_database

log = logging.getLogger(__name__)

SETUP_LIMIT = 120.0
READY_LIMIT = 30.0
SETTLE_LIMIT = 30.0


@dataclass
class Bench:
    """The running processes the phases share."""

    processes: Processes
    work_dir: Path
    simulator: Service | None = None
    server: Service | None = None
    floor: Service | None = None
    databases: dict[str, Path] = field(default_factory=dict)
    stopping: bool = False  # set by SIGINT/SIGTERM: no new phase starts

    def need_simulator(self) -> Service:
        if self.simulator is None:
            raise RuntimeError("the simulator is not running")
        return self.simulator

    def need_floor(self) -> Service:
        if self.floor is None:
            raise RuntimeError("the floor relay is not running")
        return self.floor

    def need_server(self) -> Service:
        if self.server is None:
            raise RuntimeError("the server is not running")
        return self.server


async def start_simulator(bench: Bench) -> float:
    port = free_port()
    bench.simulator = bench.processes.start_service(
        "simulator", simulator_argv(port), server_env(port, bench.work_dir / "unused.db"), port
    )
    return await wait_ready(bench.simulator, "/api/v1/models", READY_LIMIT)


async def floor_start_phase(bench: Bench) -> dict[str, Any]:
    """Spawn the bare pass-through (bench/floor.py) in front of the simulator."""
    port = free_port()
    env = floor_env(bench.need_simulator().port)
    floor = bench.processes.start_service("floor", floor_argv(port), env, port)
    seconds = await wait_ready(floor, "/api/v1/models", READY_LIMIT)
    bench.floor = floor  # only once it answers: the streams phases run against it from here
    return {"ready_s": seconds}


async def start_server(bench: Bench, database: Path) -> float:
    """Spawn `openchat serve` on `database`; return seconds until `/health` said ok."""
    port = free_port()
    env = server_env(bench.need_simulator().port, database)
    bench.server = bench.processes.start_service("server", server_argv(port), env, port)
    return await wait_ready(bench.server, "/health", READY_LIMIT)


def stop_server(bench: Bench) -> None:
    if bench.server is not None:
        bench.processes.stop(bench.server.pid)
        bench.server = None


async def settle(bench: Bench) -> None:
    """Wait until the last phase's answers are over: no open simulator stream, server idle.

    Answers belong to the server, so ones the client gave up on still run; the next
    phase must not pay for them.
    """
    deadline = time.perf_counter() + SETTLE_LIMIT
    while time.perf_counter() < deadline:
        if await _simulator_idle(bench.need_simulator()) and await _server_idle(bench):
            break
    else:
        log.warning("still busy after %.0f s; the next phase may pay for this one", SETTLE_LIMIT)
    await asyncio.sleep(0.2)


async def _simulator_idle(simulator: Service) -> bool:
    try:
        connection = await Connection.open(HOST, simulator.port)
        try:
            response = await asyncio.wait_for(connection.request("GET", "/_sim/stats"), 5.0)
        finally:
            connection.close()
        stats = orjson.loads(response.body) if response.status == 200 else {}
    except (HttpError, OSError, TimeoutError, orjson.JSONDecodeError):
        stats = {}
    if stats.get("open_streams", 0) == 0:
        return True
    await asyncio.sleep(0.1)
    return False


async def _server_idle(bench: Bench, window: float = 0.3) -> bool:
    """True when the server used under 10% of a core over `window` seconds."""
    if bench.server is None:
        return True
    tree = process_tree(bench.server.pid)
    before = cpu_seconds(tree)
    await asyncio.sleep(window)
    return cpu_seconds(tree) - before < 0.1 * window


async def _measure(
    bench: Bench, jobs: list[dict[str, Any]], limit: float, watched: dict[str, Service]
) -> Measurement:
    """Run client jobs after their set-up; read CPU and peak memory of `watched` around them."""
    group = await ClientGroup.start(bench.processes, jobs, bench.work_dir, SETUP_LIMIT)
    trees = {name: process_tree(service.pid) for name, service in watched.items()}
    before = {name: cpu_seconds(tree) for name, tree in trees.items()}
    async with contextlib.AsyncExitStack() as stack:
        samplers = {
            name: await stack.enter_async_context(RssSampler(tree)) for name, tree in trees.items()
        }
        seconds = {
            name: await stack.enter_async_context(BusiestSecond(service.pid))
            for name, service in watched.items()
        }
        started = time.perf_counter()
        results = await group.run(limit)
        wall = time.perf_counter() - started
    return Measurement(
        results=results,
        wall_s=wall,
        cpu_s={name: cpu_seconds(tree) - before[name] for name, tree in trees.items()},
        peak_rss_mb={name: sampler.peak_mb for name, sampler in samplers.items()},
        busiest_second={
            name: (second.ran, second.waited, second.most_waited)
            for name, second in seconds.items()
        },
    )


def _watched(bench: Bench, target: Target) -> dict[str, Service]:
    """The processes whose CPU and memory a phase reads; the floor stands in for the server."""
    if target == "direct":
        return {"simulator": bench.need_simulator()}
    relay = bench.need_server() if target == "relay" else bench.need_floor()
    return {"server": relay, "simulator": bench.need_simulator()}


def _port(bench: Bench, target: Target) -> int:
    if target == "floor":
        return bench.need_floor().port
    return bench.need_server().port if target == "relay" else bench.need_simulator().port


async def cold_start_phase(bench: Bench, warmup_streams: int) -> dict[str, Any]:
    """Spawn the server on a new database; memory when idle, and again after a warm-up."""
    bench.databases["relay"] = bench.work_dir / "relay.db"
    seconds = await start_server(bench, bench.databases["relay"])
    await asyncio.sleep(1.0)
    server = bench.need_server()
    idle = rss_mb(process_tree(server.pid))
    warmup = _streams_job("relay", server.port, warmup_streams, 100, 0.0, 0.0, 30.0)
    warmed = await _measure(bench, [warmup], 60.0, {})
    await settle(bench)
    await asyncio.sleep(1.0)
    return {
        "seconds": seconds,
        "idle_rss_mb": idle,
        "warm_rss_mb": rss_mb(process_tree(server.pid)),
        "warmup_answers": warmup_streams,
        "warmup_completed": sum(1 for row in warmed.results[0]["streams"] if row[4]),
    }


async def ttft_phase(bench: Bench, samples: int, tokens: int) -> dict[str, Any]:
    job = {
        "kind": "ttft",
        "server_port": bench.need_server().port,
        "simulator_port": bench.need_simulator().port,
        "samples": samples,
        "tokens": tokens,
    }
    watched = {"server": bench.need_server()}
    measurement = await _measure(bench, [job], 30.0 + samples * 2.0, watched)
    await settle(bench)
    return ttft_figures(measurement)


def _streams_job(
    target: Target, port: int, count: int, tokens: int, tps: float, ramp: float, deadline: float
) -> dict[str, Any]:
    return {
        "kind": "streams",
        "target": target,
        "port": port,
        "count": count,
        "tokens": tokens,
        "tps": tps,
        "ramp": ramp,
        "deadline": deadline,
    }


def _shard(count: int, shards: int) -> list[int]:
    shards = max(1, min(shards, count))
    return [count // shards + (index < count % shards) for index in range(shards)]


async def streams_phase(
    bench: Bench, target: Target, count: int, tokens: int, tps: float, ramp: float, shards: int
) -> dict[str, Any]:
    """`count` paced answers at once, spread over `shards` client processes."""
    deadline = ramp + tokens / tps + 20.0
    jobs = [
        _streams_job(target, _port(bench, target), share, tokens, tps, ramp, deadline)
        for share in _shard(count, shards)
    ]
    measurement = await _measure(bench, jobs, deadline + 30.0, _watched(bench, target))
    await settle(bench)
    return streams_figures(measurement, count, tps)


async def raw_phase(
    bench: Bench, target: Target, count: int, tokens: int, rounds: int
) -> dict[str, Any]:
    """`count` unpaced answers of `tokens` tokens at once, `rounds` times; the median round.

    One such round lasts tens of milliseconds, so a single one says more about
    the scheduler than about the relay.
    """
    deadline = 60.0
    jobs = [_streams_job(target, _port(bench, target), count, tokens, 0.0, 0.0, deadline)]
    figures = []
    for _ in range(rounds):
        measurement = await _measure(bench, jobs, deadline + 30.0, _watched(bench, target))
        await settle(bench)
        figures.append(raw_figures(measurement, count))
    figures.sort(key=lambda round_: float(round_["total_tokens_per_s"]))
    median = figures[len(figures) // 2]
    median["rounds_total_tokens_per_s"] = [round_["total_tokens_per_s"] for round_ in figures]
    return median


async def data_phase(
    bench: Bench, conversations: int, messages: int, api_samples: dict[str, int]
) -> dict[str, Any]:
    """Reads of the API against a large database seeded straight into SQLite."""
    database = bench.databases["large"] = bench.work_dir / "large.db"
    new_database_seconds = await start_server(bench, database)  # its migrations make the schema
    stop_server(bench)
    started = time.perf_counter()
    seeded = await asyncio.to_thread(seed_database, database, conversations, messages)
    seed_seconds = time.perf_counter() - started
    log.info("seeded %d conversations, %d messages", seeded.conversations, seeded.messages)
    large_database_seconds = await start_server(bench, database)
    await asyncio.sleep(1.0)
    server = bench.need_server()
    idle = rss_mb(process_tree(server.pid))
    job = {
        "kind": "api",
        "port": server.port,
        "conversation_id": seeded.big_conversation_id,
        **api_samples,
    }
    measurement = await _measure(bench, [job], 300.0, {"server": server})
    stop_server(bench)
    return {
        "conversations": seeded.conversations,
        "messages": seeded.messages,
        "database_mb": database.stat().st_size / 1e6,
        "seed_seconds": seed_seconds,
        "cold_start_new_database_s": new_database_seconds,
        "cold_start_large_database_s": large_database_seconds,
        "idle_rss_large_database_mb": idle,
        **api_figures(measurement),
    }
