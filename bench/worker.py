"""The client process: runs one load from a JSON job given on stdin.

Protocol, one line each: the job arrives on stdin; after `setup()` the worker
prints `ready`; it then waits for `go` on stdin, runs the measured load,
writes the result JSON (with its own CPU and wall time) to the job's `out`
path and prints `done`. Running apart from the orchestrator keeps its event
loop free for measuring, and lets a heavy phase be split over several workers.
"""

from __future__ import annotations

import asyncio
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from bench.loads import LOADS
from bench.processes import raise_open_files_limit


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop
    return uvloop.new_event_loop


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _say(word: str) -> None:
    sys.stdout.write(word + "\n")
    sys.stdout.flush()


def main() -> int:
    raise_open_files_limit()
    job: dict[str, Any] = orjson.loads(sys.stdin.readline())
    out = Path(job.pop("out"))
    load = LOADS[job.pop("kind")](**job)
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(load.setup())
        _say("ready")
        if sys.stdin.readline().strip() != "go":
            return 1
        cpu, wall = _cpu_seconds(), time.perf_counter()
        result = runner.run(load.run())
        result["client_cpu_s"] = _cpu_seconds() - cpu
        result["client_wall_s"] = time.perf_counter() - wall
    out.write_bytes(orjson.dumps(result))
    _say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
