"""Client worker processes seen from the orchestrator: start them, release them together, collect.

Every worker leads its own process group and is registered with `Processes`,
so it is killed with the servers if the run is interrupted or a phase overruns.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path
from typing import Any

import orjson

from bench.processes import REPO_ROOT, Processes, die_with_parent


class ClientError(Exception):
    """A client worker failed or overran its time."""


class ClientGroup:
    """Workers that have finished set-up and wait for `go`."""

    def __init__(self, processes: Processes, workers: list[asyncio.subprocess.Process]) -> None:
        self._processes = processes
        self._workers = workers
        self._outs: list[Path] = []

    @classmethod
    async def start(
        cls, processes: Processes, jobs: list[dict[str, Any]], work_dir: Path, setup_limit: float
    ) -> ClientGroup:
        """Spawn one worker per job and wait until each has finished its set-up."""
        group = cls(processes, [])
        try:
            for index, job in enumerate(jobs):
                out = work_dir / f"client-{id(group)}-{index}.json"
                worker = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bench.worker",
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    cwd=REPO_ROOT,
                    start_new_session=True,
                    preexec_fn=die_with_parent,
                )
                processes.track(worker.pid)
                group._workers.append(worker)
                group._outs.append(out)
                assert worker.stdin is not None
                worker.stdin.write(orjson.dumps({**job, "out": str(out)}) + b"\n")
                await worker.stdin.drain()
            await group._expect_all("ready", setup_limit)
        except BaseException:
            group.stop()
            raise
        return group

    async def run(self, limit: float) -> list[dict[str, Any]]:
        """Release every worker at once; return their results (or raise after `limit` s)."""
        try:
            for worker in self._workers:
                assert worker.stdin is not None
                worker.stdin.write(b"go\n")
            await asyncio.gather(*(w.stdin.drain() for w in self._workers if w.stdin))
            await self._expect_all("done", limit)
            results: list[dict[str, Any]] = [orjson.loads(out.read_bytes()) for out in self._outs]
            return results
        finally:
            self.stop()

    def stop(self) -> None:
        for worker in self._workers:
            self._processes.stop(worker.pid, grace=2.0)
        for out in self._outs:
            with contextlib.suppress(OSError):
                out.unlink()

    async def _expect_all(self, word: str, limit: float) -> None:
        async def expect(worker: asyncio.subprocess.Process) -> None:
            assert worker.stdout is not None
            line = await worker.stdout.readline()
            if line.strip().decode() != word:
                code = await worker.wait()
                raise ClientError(f"a client worker exited ({code}) before saying {word!r}")

        try:
            async with asyncio.timeout(limit):
                await asyncio.gather(*(expect(w) for w in self._workers))
        except TimeoutError as error:
            raise ClientError(
                f"client workers did not say {word!r} within {limit:.0f} s"
            ) from error
