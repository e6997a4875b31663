"""An offline OpenRouter API simulator that speaks the real wire protocol over real HTTP, for
tests, benchmarks and `make demo`.

Run it with `python -m openchat.simulator --host 127.0.0.1 --port 8090` and point the app at
`OPENROUTER_BASE_URL=http://127.0.0.1:8090/api/v1` (any bearer key is accepted unless
`--require-key KEY` is given). Other flags: `--tokens 40` answer length, `--tps 40` tokens per
second (0 = unpaced), `--ttft 0.3` seconds before the first token, `--keepalive-interval 0.1`
seconds between `: OPENROUTER PROCESSING` comments while waiting, `--management-key KEY` (may
read /credits), `--tick 0.005` pacing timer resolution, `--config JSON` any config key below.

From Python (tests, benchmarks), as a subprocess by default or `in_process=True` on a thread:

    from openchat.simulator.runner import RunningSimulator, run_simulator

    with run_simulator(tokens=20, ttft=0.05) as base_url:      # "http://127.0.0.1:PORT/api/v1"
        ...
    with RunningSimulator(tps=0) as sim:                         # sim.base_url, sim.root_url, sim.pid
        sim.configure(usage="none"); sim.requests(); sim.stats(); sim.reset()

OpenRouter endpoints (under /api/v1): `GET /models` (no auth; `offset`/`limit` optional),
`/models/user`, `/models/count`, `GET /model/{author}/{slug}`, `POST /chat/completions`
(streaming and not), `GET /key` and `/auth/key`, `GET /credits` (403 unless the management
key), `GET /generation?id=` (404 for the first `generation_misses` lookups).

Per-request directives: anywhere in the last user message, `[[sim key=value ...]]` (removed
from the text the answer may echo). Keys, also accepted by `POST /_sim/config` as defaults:
  tokens=N          content tokens in the answer (prose and markdown replies)
  tps=F             tokens per second; 0 sends everything at once
  ttft=S            seconds before the first token (comments are sent meanwhile)
  keepalive_interval=S  seconds between keep-alive comments; 0 sends none
  reply=prose|echo|markdown  deterministic prose / the user text exactly (tokens is then
                    ignored) / a markdown sample of 117 tokens, repeated to fill `tokens`
  reasoning=N       N reasoning tokens before the content (default: 16 for reasoning models,
                    unless the request sets reasoning.effort "none" or enabled false;
                    reasoning.exclude or include_reasoning false counts them but sends none)
  finish=stop|length|content_filter|tool_calls   the finish_reason of a complete answer
  usage=last|empty|merged|none   usage chunk with one empty choice (as live) / `choices: []`
                    / on the finish chunk / no usage at all
  crlf=1            CRLF line endings
  status=CODE       answer with that error before the stream (400 401 402 403 404 408 413
                    422 429 500 502 503 524 529); form=1 observed (default), form=2 the
                    documented alternative (402 "can only afford", 403 guardrail, 404/503
                    availability, 429 provider, 502 typed metadata), form=html an HTML page
  retry_after=S     Retry-After seconds (429 and 503 default to 1)
  fail_after=K      after K content tokens, an error chunk then the end of the body;
                    fail_done=1 adds `data: [DONE]` after it (non-streaming: HTTP 200 with
                    finish_reason "error" and choices[0].error)
  drop_after=K      after K content tokens, close the connection (no finish, no [DONE])
  stall_after=K     after K content tokens, send nothing more and keep the connection open
  malformed_after=K after K content tokens, one data line of broken JSON, then go on
A K larger than the answer fires right after its last token. Unknown keys get a 400.
Server-wide config keys only: require_key, management_key, generation_misses, key_limit.

Test control (not under /api/v1): `GET /_sim/requests` lists every completion request as
{id, path, headers (lower-cased), body, outcome, status, chunks_sent, tokens_sent,
received_at}; outcome is running, complete, error, cancelled (client left first), dropped or
stalled (kept after the client leaves); chunks_sent counts JSON data events written.
`DELETE /_sim/requests` clears it and the counters; `GET /_sim/stats` gives {requests,
open_streams (completions whose response is still open, stalled ones included), cancelled,
connections (opened by clients)};
`GET|POST|DELETE /_sim/config` reads, changes or resets the defaults; `GET /_sim/health`.
The request log and generation records keep the last 10,000 entries.
"""
