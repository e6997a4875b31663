"""`python -m openchat.simulator`: parse the command line and serve until SIGINT or SIGTERM."""

import argparse
import asyncio
import logging
import signal
from collections.abc import Sequence

import orjson

from openchat.simulator.script import Options, Script, ScriptError, configure
from openchat.simulator.server import Simulator, loop_factory

log = logging.getLogger(__name__)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    defaults = Script()
    parser = argparse.ArgumentParser(
        prog="python -m openchat.simulator",
        description="An offline OpenRouter API simulator (serves /api/v1 and /_sim).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090, help="0 picks a free port")
    parser.add_argument("--tokens", type=int, default=defaults.tokens, help="answer length")
    parser.add_argument("--tps", type=float, default=defaults.tps, help="tokens/s, 0 = unpaced")
    parser.add_argument("--ttft", type=float, default=defaults.ttft, help="seconds to 1st token")
    parser.add_argument(
        "--keepalive-interval",
        type=float,
        default=defaults.keepalive_interval,
        help="seconds between ': OPENROUTER PROCESSING' comments while waiting",
    )
    parser.add_argument("--require-key", help="accept only this API key (others get 401)")
    parser.add_argument("--management-key", help="the key that may read /credits")
    parser.add_argument(
        "--tick", type=float, default=0.005, help="pacing timer resolution in seconds"
    )
    parser.add_argument("--config", default="{}", help="JSON object of any /_sim/config keys")
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def _settings(args: argparse.Namespace) -> tuple[Script, Options]:
    values: dict[str, object] = {
        "tokens": args.tokens,
        "tps": args.tps,
        "ttft": args.ttft,
        "keepalive_interval": args.keepalive_interval,
        "require_key": args.require_key,
        "management_key": args.management_key,
    }
    extra = orjson.loads(args.config)
    if not isinstance(extra, dict):
        raise ScriptError("--config must be a JSON object")
    return configure(Script(), Options(), {**values, **extra})


async def _serve(simulator: Simulator, host: str, port: int) -> None:
    server = await simulator.serve(host, port)
    address = server.sockets[0].getsockname()
    log.info("OpenRouter simulator on http://%s:%s/api/v1", address[0], address[1])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    server.close()
    await simulator.close()


def main(argv: Sequence[str] | None = None) -> None:
    args = _arguments(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        script, options = _settings(args)
    except (ScriptError, orjson.JSONDecodeError) as error:
        raise SystemExit(f"invalid settings: {error}") from None
    simulator = Simulator(script, options, tick=args.tick)
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        runner.run(_serve(simulator, args.host, args.port))


if __name__ == "__main__":
    main()
