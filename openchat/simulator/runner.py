"""Start a simulator for tests and benchmarks, as a subprocess (the default: its CPU use is
its own) or on a thread of the current process, and stop it afterwards.
"""

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx
import orjson

from openchat.simulator.script import Options, Script, configure
from openchat.simulator.server import Simulator, loop_factory

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_ready(process: subprocess.Popen[Any], url: str, timeout: float) -> bool:
    """Poll `GET url` until it answers 200; False if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    return False


class RunningSimulator:
    """A simulator on host:port, started on `__enter__` and stopped on `__exit__`.

    `defaults` are any `/_sim/config` keys (tokens, tps, ttft, usage, require_key, ...)."""

    def __init__(
        self,
        port: int | None = None,
        *,
        host: str = "127.0.0.1",
        in_process: bool = False,
        startup_timeout: float = 15.0,
        defaults: Mapping[str, object] | None = None,
        **more_defaults: object,
    ) -> None:
        self.host = host
        self.port = port or 0
        self._wanted_port = port
        self._in_process = in_process
        self._startup_timeout = startup_timeout
        self._defaults = {**(defaults or {}), **more_defaults}
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: _ServerThread | None = None

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What to set as OPENROUTER_BASE_URL."""
        return f"{self.root_url}/api/v1"

    @property
    def pid(self) -> int:
        """The process serving requests (this one when in-process)."""
        return self._process.pid if self._process is not None else os.getpid()

    def requests(self) -> list[dict[str, Any]]:
        """Every completion request received since the last reset."""
        records: list[dict[str, Any]] = httpx.get(f"{self.root_url}/_sim/requests").json()
        return records

    def reset(self) -> None:
        httpx.delete(f"{self.root_url}/_sim/requests").raise_for_status()

    def stats(self) -> dict[str, int]:
        stats: dict[str, int] = httpx.get(f"{self.root_url}/_sim/stats").json()
        return stats

    def configure(self, **values: object) -> dict[str, Any]:
        """Change server-wide knobs; returns the whole configuration."""
        response = httpx.post(f"{self.root_url}/_sim/config", json=values)
        response.raise_for_status()
        config: dict[str, Any] = response.json()
        return config

    def start(self) -> None:
        if self._in_process:
            script, options = configure(Script(), Options(), self._defaults)
            self._thread = _ServerThread(self.host, self._wanted_port or 0, script, options)
            self.port = self._thread.start(self._startup_timeout)
            return
        for _ in range(3):
            # A free port can be taken between the probe and the bind; then try another.
            self.port = self._wanted_port or free_port(self.host)
            self._process = self._spawn()
            if wait_until_ready(
                self._process, f"{self.root_url}/_sim/health", self._startup_timeout
            ):
                return
            self.stop()
            if self._wanted_port:
                break
        raise RuntimeError(f"the simulator did not start on {self.root_url}")

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread = None
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(_PACKAGE_ROOT), env.get("PYTHONPATH")])
        )
        command = [sys.executable, "-m", "openchat.simulator", "--host", self.host]
        command += ["--port", str(self.port), "--log-level", "WARNING"]
        command += ["--config", orjson.dumps(self._defaults).decode()]
        return subprocess.Popen(command, env=env)


class _ServerThread:
    """The simulator on its own event loop in a daemon thread."""

    def __init__(self, host: str, port: int, script: Script, options: Options) -> None:
        self._simulator = Simulator(script, options)
        self._host = host
        self._port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._error: OSError | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="openrouter-simulator", daemon=True)

    def start(self, timeout: float) -> int:
        self._thread.start()
        if not self._ready.wait(timeout) or self._server is None:
            raise RuntimeError("the in-process simulator did not start") from self._error
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        loop = self._loop = loop_factory()()
        try:
            self._server = loop.run_until_complete(self._simulator.serve(self._host, self._port))
        except OSError as error:
            self._error = error
        finally:
            self._ready.set()
        if self._server is not None:
            loop.run_forever()
            self._server.close()
            loop.run_until_complete(self._simulator.close())
            loop.run_until_complete(self._server.wait_closed())
        loop.close()


@contextmanager
def run_simulator(
    port: int | None = None, *, in_process: bool = False, **defaults: object
) -> Iterator[str]:
    """Run a simulator for the duration of a `with` block and yield its base URL
    (`http://127.0.0.1:PORT/api/v1`)."""
    with RunningSimulator(port, in_process=in_process, defaults=defaults) as simulator:
        yield simulator.base_url
