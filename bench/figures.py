"""Turns what the client workers saw, plus the orchestrator's CPU and memory readings,
into the reported figures: one pure function per kind of phase."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from bench.stats import summarize


@dataclass
class Measurement:
    """One measured window: client results and the watched processes' resources."""

    results: list[dict[str, Any]]
    wall_s: float
    cpu_s: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    # Per watched process: in the second its busiest thread ran most, the shares it ran and
    # waited for a core, and the most it waited in any second (procstat.BusiestSecond).
    busiest_second: dict[str, tuple[float, float, float]] = field(default_factory=dict)

    @property
    def client_cpu_s(self) -> float:
        return sum(float(result["client_cpu_s"]) for result in self.results)

    @property
    def client_busiest(self) -> float:
        """The busiest client process's CPU share of its wall time (1.0 = one core saturated)."""
        return max(
            (float(r["client_cpu_s"]) / float(r["client_wall_s"]) for r in self.results),
            default=0.0,
        )


def _merge_errors(results: list[dict[str, Any]]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for result in results:
        for message, count in result.get("errors", {}).items():
            merged[message] = merged.get(message, 0) + int(count)
    return merged


def _per_thousand(cpu_s: float, tokens: int) -> float:
    return cpu_s / tokens * 1000 if tokens else math.nan


def _resources(measurement: Measurement, tokens: int) -> dict[str, Any]:
    return {
        "wall_s": measurement.wall_s,
        "cpu_s": measurement.cpu_s,
        "cpu_s_per_1k_tokens": {
            name: _per_thousand(cpu, tokens) for name, cpu in measurement.cpu_s.items()
        },
        "peak_rss_mb": measurement.peak_rss_mb,
        "busiest_second": {
            name: {"ran": ran, "waited": waited, "most_waited": most}
            for name, (ran, waited, most) in measurement.busiest_second.items()
        },
        "client_cpu_s": measurement.client_cpu_s,
        "client_processes": len(measurement.results),
        "client_busiest_core_share": measurement.client_busiest,
    }


def ttft_figures(measurement: Measurement) -> dict[str, Any]:
    """Time to first token through the relay and directly, and what the relay adds."""
    result = measurement.results[0]
    relay, direct = summarize(result["relay_ms"]), summarize(result["direct_ms"])
    answers = len(result["relay_ms"])
    return {
        "relay_ms": relay,
        "direct_ms": direct,
        "added_ms": {key: relay[key] - direct[key] for key in ("p50", "p95", "p99")},
        "relay_post_message_ms": summarize(result["relay_post_ms"]),
        # The window also holds the warm-up and the direct answers, which the server never sees.
        "server_cpu_ms_per_answer": measurement.cpu_s.get("server", math.nan) * 1000 / answers
        if answers
        else math.nan,
        "errors": _merge_errors(measurement.results),
        "client_cpu_s": measurement.client_cpu_s,
    }


def _stream_rows(measurement: Measurement) -> list[list[Any]]:
    return [row for result in measurement.results for row in result["streams"]]


def streams_figures(measurement: Measurement, count: int, tps: float) -> dict[str, Any]:
    """C paced answers at once: completion, delivered rate against the ideal, gaps, cost."""
    rows = _stream_rows(measurement)
    tokens = sum(int(row[3]) for row in rows)
    # Each stream's own rate, from its request to its end, summed: the concurrent throughput.
    rate = sum(int(row[3]) / (row[1] - row[0]) for row in rows if row[1] > row[0])
    span = max(row[1] for row in rows) - min(row[0] for row in rows) if rows else math.nan
    ideal = count * tps
    gaps = [gap for result in measurement.results for gap in result["gaps_ms"]]
    arrival_gaps = [gap for result in measurement.results for gap in result["arrival_gaps_ms"]]
    first = [(row[2] - row[0]) * 1000 for row in rows if row[2]]
    posted = [(row[5] - row[0]) * 1000 for row in rows if row[5]]
    return {
        "concurrency": count,
        "completed": sum(1 for row in rows if row[4]),
        "tokens": tokens,
        "tokens_per_s": rate,
        "ideal_tokens_per_s": ideal,
        "share_of_ideal": rate / ideal if ideal else math.nan,
        "tokens_per_s_over_whole_phase": tokens / span if span else math.nan,
        # Between consecutive tokens; tokens that came in one read have a gap of 0.
        "gap_ms": summarize(gaps),
        # Between consecutive reads that brought tokens: the pauses a reader sees.
        "arrival_gap_ms": summarize(arrival_gaps),
        "first_token_ms": summarize(first),
        "post_message_ms": summarize(posted),
        "errors": _merge_errors(measurement.results),
        **_resources(measurement, tokens),
    }


def raw_figures(measurement: Measurement, count: int) -> dict[str, Any]:
    """Unpaced answers: tokens per second per stream and in total."""
    rows = _stream_rows(measurement)
    tokens = sum(int(row[3]) for row in rows)
    per_stream = [int(row[3]) / (row[1] - row[0]) for row in rows if row[1] > row[0]]
    span = max(row[1] for row in rows) - min(row[0] for row in rows) if rows else math.nan
    return {
        "concurrency": count,
        "completed": sum(1 for row in rows if row[4]),
        "tokens": tokens,
        "per_stream_tokens_per_s": summarize(per_stream),
        "per_stream_mean_tokens_per_s": sum(per_stream) / len(per_stream)
        if per_stream
        else math.nan,
        "total_tokens_per_s": tokens / span if span else math.nan,
        "errors": _merge_errors(measurement.results),
        **_resources(measurement, tokens),
    }


def api_figures(measurement: Measurement) -> dict[str, Any]:
    """Latency of reading the API with a large database."""
    result = measurement.results[0]
    return {
        "list_first_page_ms": summarize(result["list_ms"]),
        "list_deeper_pages_ms": summarize(result["list_deep_ms"]),
        "open_large_conversation_ms": summarize(result["open_ms"]),
        "large_conversation_messages": result["open_messages"],
        "search_ms": summarize(result["search_ms"]),
        **_resources(measurement, 0),
    }
