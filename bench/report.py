"""The printed table (figures, direct baselines, ratios, goals) and the JSON file."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import orjson

from bench.targets import Verdict

Results = dict[str, Any]
Row = tuple[str, str, str, str]  # figure, relay, direct, ratio


def _number(value: Any, digits: int = 1, unit: str = "") -> str:
    if not isinstance(value, int | float) or math.isnan(value):
        return "-"
    text = f"{value:,.{digits}f}"
    return f"{text} {unit}" if unit else text


def _ratio(relay: Any, direct: Any) -> str:
    if not all(isinstance(v, int | float) and not math.isnan(v) for v in (relay, direct)):
        return "-"
    return f"{relay / direct:.2f}x" if direct else "-"


def _pair(label: str, relay: Any, direct: Any, digits: int = 1, unit: str = "") -> Row:
    return (
        label,
        _number(relay, digits, unit),
        _number(direct, digits, unit),
        _ratio(relay, direct),
    )


def _one(label: str, value: Any, digits: int = 1, unit: str = "") -> Row:
    return (label, _number(value, digits, unit), "", "")


def _failed(label: str, section: Results) -> list[Row]:
    return [(label, "error: " + str(section.get("error"))[:60], "", "")]


def _ttft_rows(ttft: Results) -> list[Row]:
    if "error" in ttft:
        return _failed("time to first token", ttft)
    relay, direct = ttft["relay_ms"], ttft["direct_ms"]
    rows = [_pair(f"TTFT {key}", relay[key], direct[key], 2, "ms") for key in ("p50", "p95", "p99")]
    rows += [_one(f"added TTFT {key}", ttft["added_ms"][key], 2, "ms") for key in ("p50", "p99")]
    rows.append(_one("relay: POST messages p50", ttft["relay_post_message_ms"]["p50"], 2, "ms"))
    rows.append(_one("server CPU per answer", ttft["server_cpu_ms_per_answer"], 2, "ms"))
    rows.append(("samples (relay / direct)", f"{relay['n']:.0f}", f"{direct['n']:.0f}", ""))
    if ttft["errors"]:
        rows.append(_one("failed answers", sum(ttft["errors"].values()), 0))
    return rows


def _streams_rows(run: Results) -> list[Row]:
    count = run["concurrency"]
    relay, direct = run.get("relay", {}), run.get("direct", {})
    if "error" in relay:
        return _failed(f"C={count}", relay)
    direct_ok = "error" not in direct
    rows = [
        (
            f"C={count} completed",
            f"{relay['completed']}/{count}",
            f"{direct['completed']}/{count}" if direct_ok else "error",
            "",
        ),
        _pair(
            f"C={count} tokens/s (ideal {relay['ideal_tokens_per_s']:,.0f})",
            relay["tokens_per_s"],
            direct.get("tokens_per_s"),
            0,
        ),
        _pair(
            f"C={count} share of ideal",
            relay["share_of_ideal"] * 100,
            direct.get("share_of_ideal", math.nan) * 100,
            1,
            "%",
        ),
        _pair(
            f"C={count} gap p50",
            relay["gap_ms"]["p50"],
            direct.get("gap_ms", {}).get("p50"),
            1,
            "ms",
        ),
        _pair(
            f"C={count} gap p99",
            relay["gap_ms"]["p99"],
            direct.get("gap_ms", {}).get("p99"),
            1,
            "ms",
        ),
        _pair(
            f"C={count} gap p99 between arrivals",
            relay["arrival_gap_ms"]["p99"],
            direct.get("arrival_gap_ms", {}).get("p99"),
            1,
            "ms",
        ),
        _pair(
            f"C={count} first token p99",
            relay["first_token_ms"]["p99"],
            direct.get("first_token_ms", {}).get("p99"),
            1,
            "ms",
        ),
        _one(f"C={count} relay: POST messages p99", relay["post_message_ms"]["p99"], 1, "ms"),
        _pair(
            f"C={count} CPU-s/1k tokens (server | sim)",
            relay["cpu_s_per_1k_tokens"].get("server"),
            direct.get("cpu_s_per_1k_tokens", {}).get("simulator"),
            4,
        ),
        _one(
            f"C={count} simulator CPU-s/1k tokens, relayed",
            relay["cpu_s_per_1k_tokens"].get("simulator"),
            4,
        ),
        _pair(
            f"C={count} peak RSS (server | sim)",
            relay["peak_rss_mb"].get("server"),
            direct.get("peak_rss_mb", {}).get("simulator"),
            0,
            "MB",
        ),
        (
            f"C={count} busiest second of a thread (server | sim)",
            _busiest(relay, "server"),
            _busiest(direct, "simulator") if direct_ok else "",
            "",
        ),
        (
            f"C={count} client CPU-s (busiest core %)",
            _client(relay),
            _client(direct) if direct_ok else "",
            "",
        ),
    ]
    errors = sum(relay.get("errors", {}).values())
    if errors:
        rows.append(_one(f"C={count} failed answers", errors, 0))
    return rows


def _floor_rows(run: Results) -> list[Row]:
    """The relay against the floor: the second column is the floor, the ratio relay / floor."""
    count = run["concurrency"]
    relay, floor = run.get("relay", {}), run.get("floor", {"error": "not run"})
    if "error" in relay or "error" in floor:
        return _failed(f"C={count} floor", floor if "error" in floor else relay)
    return [
        _pair(
            f"C={count} share of ideal",
            relay["share_of_ideal"] * 100,
            floor["share_of_ideal"] * 100,
            1,
            "%",
        ),
        _pair(
            f"C={count} gap p99 between arrivals",
            relay["arrival_gap_ms"]["p99"],
            floor["arrival_gap_ms"]["p99"],
            1,
            "ms",
        ),
        _pair(
            f"C={count} CPU-s/1k tokens (server | floor)",
            relay["cpu_s_per_1k_tokens"].get("server"),
            floor["cpu_s_per_1k_tokens"].get("server"),
            4,
        ),
        _pair(
            f"C={count} peak RSS (server | floor)",
            relay["peak_rss_mb"].get("server"),
            floor["peak_rss_mb"].get("server"),
            0,
            "MB",
        ),
        (
            f"C={count} busiest second of a thread (server | floor)",
            _busiest(relay, "server"),
            _busiest(floor, "server"),
            "",
        ),
    ]


def _busiest(figures: Results, process: str) -> str:
    """How much of its busiest second the process's busiest thread ran and waited for a core,
    and the most it waited in any second."""
    second = figures.get("busiest_second", {}).get(process)
    if not second or math.isnan(second["ran"]):
        return "n/a"
    ran, waited, most = (second[key] * 100 for key in ("ran", "waited", "most_waited"))
    return f"{ran:.0f}% ran, {waited:.0f}% waited ({most:.0f}% at most)"


def _client(figures: Results) -> str:
    share = figures.get("client_busiest_core_share", math.nan) * 100
    processes = figures.get("client_processes", 1)
    return f"{figures.get('client_cpu_s', math.nan):.1f} ({share:.0f}%, {processes}p)"


def _raw_rows(run: Results) -> list[Row]:
    count = run["concurrency"]
    relay, direct = run.get("relay", {}), run.get("direct", {})
    if "error" in relay:
        return _failed(f"{count} unpaced", relay)
    return [
        _pair(
            f"{count} unpaced: tokens/s per stream",
            relay["per_stream_mean_tokens_per_s"],
            direct.get("per_stream_mean_tokens_per_s"),
            0,
        ),
        _pair(
            f"{count} unpaced: tokens/s total",
            relay["total_tokens_per_s"],
            direct.get("total_tokens_per_s"),
            0,
        ),
    ]


def _cold_rows(cold: Results, data: Results) -> list[Row]:
    rows: list[Row] = []
    if "error" in cold:
        rows += _failed("cold start", cold)
    else:
        rows += [
            _one("cold start, new database", cold["seconds"], 2, "s"),
            _one("idle RSS after start-up", cold["idle_rss_mb"], 1, "MB"),
            _one(f"idle RSS after {cold['warmup_answers']} answers", cold["warm_rss_mb"], 1, "MB"),
        ]
    if "cold_start_large_database_s" in data:
        rows += [
            _one("cold start, large database", data["cold_start_large_database_s"], 2, "s"),
            _one("idle RSS, large database", data["idle_rss_large_database_mb"], 1, "MB"),
        ]
    return rows


def _data_rows(data: Results) -> list[Row]:
    if "error" in data:
        return _failed("API under data", data)
    rows = []
    for label, key in (
        ("list conversations, first page", "list_first_page_ms"),
        ("list conversations, deeper pages", "list_deeper_pages_ms"),
        (
            f"open {data['large_conversation_messages']}-message conversation",
            "open_large_conversation_ms",
        ),
        ("search titles and messages (common words)", "search_ms"),
    ):
        figures = data[key]
        rows.append(
            (
                label,
                f"p50 {_number(figures['p50'], 2)} ms",
                f"p99 {_number(figures['p99'], 2)} ms",
                "",
            )
        )
    return rows


def _is_heading(row: Row) -> bool:
    return row[0].startswith("--") and not any(row[1:])


def _table(rows: list[Row], header: Row) -> list[str]:
    """Left-aligned first column, right-aligned others; `-- heading` rows span the table."""
    cells = [header, *(row for row in rows if not _is_heading(row))]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    lines = []
    for row in [header, *rows]:
        if _is_heading(row):
            lines.append(row[0])
            continue
        values = [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join([row[0].ljust(widths[0]), *values]).rstrip())
    return lines


def render(results: Results, verdicts: list[Verdict]) -> str:
    """The whole report as text: the figures table, then the goals table."""
    meta = results["meta"]
    rows: list[Row] = [
        (
            f"-- time to first token ({meta['ttft_samples']} sequential answers, "
            f"{meta['ttft_tokens']} tokens, ttft=0)",
            "",
            "",
            "",
        )
    ]
    rows += _ttft_rows(results.get("ttft", {"error": "not run"}))
    rows.append(
        (
            f"-- streams at once ({meta['stream_tokens']} tokens at "
            f"{meta['stream_tps']:g} tokens/s each)",
            "",
            "",
            "",
        )
    )
    for run in results.get("streams", []):
        rows += _streams_rows(run)
    rows.append(
        (
            "-- against the floor (bench/floor.py, upstream reads passed through on the same "
            "uvicorn; second column: floor)",
            "",
            "",
            "",
        )
    )
    for run in results.get("streams", []):
        rows += _floor_rows(run)
    rows.append(
        (
            f"-- raw relay throughput ({meta['raw_tokens']:,} tokens, unpaced, "
            f"median of {meta['raw_rounds']} rounds)",
            "",
            "",
            "",
        )
    )
    for run in results.get("raw", []):
        rows += _raw_rows(run)
    data = results.get("data", {})
    rows.append(("-- cold start and memory", "", "", ""))
    rows += _cold_rows(results.get("cold_start", {"error": "not run"}), data)
    if data:
        rows.append(
            (
                f"-- API with {data.get('conversations', 0):,} conversations, "
                f"{data.get('messages', 0):,} messages",
                "",
                "",
                "",
            )
        )
        rows += _data_rows(data)
    lines = [
        f"Open Chat relay benchmark, {meta['started_at']}, {meta['cpus']} CPUs, "
        f"Python {meta['python']}, {meta['mode']} run, {meta['duration_s']:.0f} s",
        f"load average (1 min) at start {meta['load_average_at_start']:.2f}, "
        f"at end {meta['load_average_at_end']:.2f}; client event loop: "
        f"{meta['client_event_loop']}",
        "",
        *_table(rows, ("figure", "relay", "direct", "ratio")),
        "",
        *_goal_lines(verdicts),
    ]
    return "\n".join(lines) + "\n"


def _goal_lines(verdicts: list[Verdict]) -> list[str]:
    rows: list[Row] = [
        (
            verdict.goal.label,
            _number(verdict.value, _digits(verdict.value)) + verdict.goal.unit,
            f"{verdict.goal.text} ({verdict.measured_at})",
            verdict.word,
        )
        for verdict in verdicts
    ]
    passed = sum(1 for verdict in verdicts if verdict.passed)
    return [
        *_table(rows, ("goal", "measured", "target (where)", "result")),
        f"{passed} of {len(verdicts)} goals met",
    ]


def _digits(value: float | None) -> int:
    """Enough decimals for small figures such as CPU-seconds per 1,000 tokens."""
    if value is None or abs(value) >= 1000:
        return 0
    return 4 if abs(value) < 1 else 2


def write_json(path: Path, results: Results, verdicts: list[Verdict]) -> None:
    payload = {
        **results,
        "goals": [
            {
                "goal": verdict.goal.label,
                "target": verdict.goal.text,
                "measured": verdict.value,
                "measured_at": verdict.measured_at,
                "result": verdict.word,
            }
            for verdict in verdicts
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))
