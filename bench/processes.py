"""Starting, watching and stopping the processes under test: the simulator and the server.

Every process leads its own process group (so the whole group can be
signalled), with a raised open-files limit, logging to a file, listening on
127.0.0.1 only, and is stopped by the `Processes` registry however the run ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from bench.client import Connection, HttpError

HOST = "127.0.0.1"
API_KEY = "sk-bench-simulated"
REPO_ROOT = Path(__file__).resolve().parent.parent
_PR_SET_PDEATHSIG = 1


def raise_open_files_limit() -> int:
    """Raise this process's soft open-files limit to its hard limit; children inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def die_with_parent() -> None:
    """Runs in the child before exec: a SIGKILLed benchmark must not leave servers behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Service:
    """A spawned server: its process, port and log file."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    spawned_at: float

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


class Processes:
    """Registry of everything started; `stop_all()` ends each process group, newest first."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self._started: list[int] = []
        self._popens: dict[int, subprocess.Popen[bytes]] = {}

    def spawn(
        self, name: str, argv: list[str], env: dict[str, str], log_name: str | None = None
    ) -> subprocess.Popen[bytes]:
        """Start `argv` as a process group leader, stdout and stderr going to a log file."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / (log_name or f"{name}.log")
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=REPO_ROOT,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )
        self._started.append(process.pid)
        self._popens[process.pid] = process
        return process

    def start_service(
        self, name: str, module_argv: list[str], env: dict[str, str], port: int
    ) -> Service:
        log_name = f"{name}-{port}.log"
        spawned_at = time.perf_counter()
        process = self.spawn(name, [sys.executable, "-m", *module_argv], env, log_name)
        return Service(name, process, port, self.log_dir / log_name, spawned_at)

    def track(self, pid: int) -> None:
        """Also stop this process (started elsewhere, leading its own group) in `stop_all()`."""
        self._started.append(pid)

    def stop(self, pid: int, grace: float = 5.0) -> None:
        """SIGTERM the process group, then SIGKILL it if it outlives `grace` seconds."""
        if pid in self._started:
            self._started.remove(pid)
        _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.02)
        _signal_group(pid, signal.SIGKILL)
        popen = self._popens.pop(pid, None)
        if popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                popen.wait(2.0)

    def stop_all(self) -> None:
        for pid in reversed(list(self._started)):
            self.stop(pid)


def _signal_group(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


def _alive(pid: int) -> bool:
    """True while `pid` runs; a zombie (exited, not yet reaped by its owner) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def simulator_argv(port: int) -> list[str]:
    return ["openchat.simulator", "--host", HOST, "--port", str(port)]


def floor_argv(port: int) -> list[str]:
    """The floor on the server's own stack: uvicorn, httptools, the app's loop, one worker."""
    return ["bench.floor", "--host", HOST, "--port", str(port)]


def floor_env(simulator_port: int) -> dict[str, str]:
    return {**os.environ, "FLOOR_UPSTREAM": f"http://{HOST}:{simulator_port}/api/v1"}


def server_argv(port: int) -> list[str]:
    return ["openchat", "serve", "--host", HOST, "--port", str(port)]


def server_env(simulator_port: int, database_path: Path) -> dict[str, str]:
    """Production settings for `openchat serve` against the simulator."""
    env = dict(os.environ)
    env.update(
        OPENROUTER_API_KEY=API_KEY,
        OPENROUTER_BASE_URL=f"http://{HOST}:{simulator_port}/api/v1",
        DATABASE_URL=f"sqlite:///{database_path}",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


async def wait_ready(service: Service, path: str, limit: float) -> float:
    """Poll `GET path` until it answers 200 (at most `limit` s); return seconds since spawn."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(
                f"{service.name} exited with {service.process.returncode}:\n{service.log_tail()}"
            )
        if await _answers_ok(service.port, path):
            return time.perf_counter() - service.spawned_at
        await asyncio.sleep(0.005)
    raise TimeoutError(f"{service.name} not ready after {limit:.0f} s:\n{service.log_tail()}")


async def _answers_ok(port: int, path: str) -> bool:
    try:
        connection = await Connection.open(HOST, port)
    except OSError:
        return False
    try:
        response = await asyncio.wait_for(connection.request("GET", path), 2.0)
    except (HttpError, OSError, TimeoutError):
        return False
    finally:
        connection.close()
    if response.status != 200:
        return False
    if path.endswith("/health"):
        body = orjson.loads(response.body)
        return isinstance(body, dict) and body.get("status") == "ok"
    return True
