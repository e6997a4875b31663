"""`python -m bench`: run every phase against fresh processes, print the table, write the JSON."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import logging
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import phases
from bench.answers import Target
from bench.plan import Plan
from bench.processes import REPO_ROOT, Processes, raise_open_files_limit
from bench.report import render, write_json
from bench.targets import evaluate

log = logging.getLogger("bench")
TARGETS: tuple[Target, ...] = ("relay", "direct")
STREAM_TARGETS: tuple[Target, ...] = (*TARGETS, "floor")


def _parse(argv: list[str] | None) -> tuple[Plan, Path]:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smoke run, well under a minute")
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO_ROOT / "artifacts" / "bench" / "relay.json",
        help="where to write the JSON (default: artifacts/bench/relay.json)",
    )
    parser.add_argument("--concurrency", help="comma-separated stream counts, e.g. 50,200")
    parser.add_argument("--ttft-samples", type=int, help="sequential answers for TTFT")
    parser.add_argument("--client-processes", type=int, help="client processes for streams")
    parser.add_argument("--no-data", action="store_true", help="skip the large-database phase")
    args = parser.parse_args(argv)
    plan = Plan.quick() if args.quick else Plan()
    if args.concurrency:
        plan.concurrency = [int(part) for part in args.concurrency.split(",") if part.strip()]
    if args.ttft_samples:
        plan.ttft_samples = args.ttft_samples
    if args.client_processes:
        plan.client_processes = args.client_processes
    if args.no_data:
        plan.data_conversations = 0
    return plan, args.out


def _meta(plan: Plan) -> dict[str, Any]:
    revision = ""
    with contextlib.suppress(OSError):
        revision = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    return {
        "started_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        # Other work on the machine skews every figure; a reader should see how busy it was.
        "load_average_at_start": os.getloadavg()[0],
        "cpu_model": _cpu_model(),
        "python": platform.python_version(),
        "git_revision": revision or None,
        "client_event_loop": "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        **asdict(plan),
    }


def _cpu_model() -> str | None:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return None


async def _phase(
    bench: phases.Bench, name: str, work: Coroutine[Any, Any, dict[str, Any]]
) -> dict[str, Any]:
    """Run one phase; a failure is recorded in the results and the run goes on."""
    if bench.stopping:  # a signal came; its cancellation may have been absorbed on the way
        work.close()
        raise asyncio.CancelledError
    log.info("phase: %s", name)
    started = time.perf_counter()
    try:
        figures = await work
    except Exception as error:  # recorded in the results; the other phases still run
        log.exception("phase %s failed", name)
        return {"error": f"{type(error).__name__}: {error}"}
    log.info("phase %s took %.1f s", name, time.perf_counter() - started)
    return figures


async def _run(plan: Plan, bench: phases.Bench, results: dict[str, Any]) -> None:
    """Fill `results` phase by phase (a failed phase holds its error)."""
    results["simulator_ready_s"] = await phases.start_simulator(bench)
    results["floor"] = await _phase(bench, "floor start", phases.floor_start_phase(bench))
    results["cold_start"] = await _phase(
        bench, "cold start", phases.cold_start_phase(bench, plan.warmup_answers)
    )
    if bench.server is None:
        return
    results["ttft"] = await _phase(
        bench, "time to first token", phases.ttft_phase(bench, plan.ttft_samples, plan.ttft_tokens)
    )
    results["streams"] = []
    for count in plan.concurrency:
        run: dict[str, Any] = {"concurrency": count}
        for target in STREAM_TARGETS if bench.floor else TARGETS:
            run[target] = await _phase(
                bench,
                f"{count} streams, {target}",
                phases.streams_phase(
                    bench,
                    target,
                    count,
                    plan.stream_tokens,
                    plan.stream_tps,
                    plan.ramp_s,
                    plan.shards(count),
                ),
            )
        results["streams"].append(run)
    results["raw"] = []
    for count in plan.raw_counts:
        raw: dict[str, Any] = {"concurrency": count}
        for target in TARGETS:
            raw[target] = await _phase(
                bench,
                f"{count} unpaced, {target}",
                phases.raw_phase(bench, target, count, plan.raw_tokens, plan.raw_rounds),
            )
        results["raw"].append(raw)
    phases.stop_server(bench)
    if plan.data_conversations:
        results["data"] = await _phase(
            bench,
            "API under data",
            phases.data_phase(bench, plan.data_conversations, plan.data_messages, plan.api_samples),
        )


async def _run_until_signal(plan: Plan, bench: phases.Bench, results: dict[str, Any]) -> bool:
    """Run the phases; False when SIGINT or SIGTERM cut the run short."""
    runner = asyncio.create_task(_run(plan, bench, results))

    def stop() -> None:
        bench.stopping = True
        runner.cancel()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop)
    try:
        await runner
    except asyncio.CancelledError:
        return False
    return True


def _failures(node: object) -> int:
    """How many phases recorded an error."""
    if isinstance(node, dict):
        return int("error" in node) + sum(_failures(value) for value in node.values())
    if isinstance(node, list):
        return sum(_failures(value) for value in node)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Exit status 0 when every phase ran (goals missed or not), 1 otherwise."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    plan, out = _parse(argv)
    raise_open_files_limit()
    processes = Processes(out.parent / "logs")
    for old_log in processes.log_dir.glob("*.log"):  # keep only this run's logs
        old_log.unlink()
    started = time.perf_counter()
    results: dict[str, Any] = {"meta": _meta(plan)}
    with tempfile.TemporaryDirectory(prefix="openchat-bench-") as work_dir:
        bench = phases.Bench(processes, Path(work_dir))
        try:
            finished = asyncio.run(_run_until_signal(plan, bench, results))
        except (RuntimeError, TimeoutError, OSError) as error:  # the simulator did not start
            log.error("%s", error)
            return 1
        finally:
            processes.stop_all()
    if not finished:
        log.error("interrupted; every process the run started was stopped")
        return 130
    results["meta"]["duration_s"] = time.perf_counter() - started
    results["meta"]["load_average_at_end"] = os.getloadavg()[0]
    verdicts = evaluate(results)
    sys.stdout.write(render(results, verdicts))
    write_json(out, results, verdicts)
    log.info("wrote %s; server logs in %s", out, processes.log_dir)
    failures = _failures(results)
    if failures:
        log.error("%d phase(s) failed; see their errors in %s", failures, out)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
