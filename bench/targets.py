"""The project's performance goals and their PASS/MISS verdicts against measured figures."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Results = dict[str, Any]


@dataclass(frozen=True)
class Goal:
    label: str
    limit: float
    unit: str
    at_least: bool  # True: the figure must be >= limit; False: <= limit
    pick: Callable[[Results], tuple[float | None, str]]  # the figure and where it was measured

    @property
    def text(self) -> str:
        sign = ">=" if self.at_least else "<="
        return f"{sign} {self.limit:g}{self.unit}"


@dataclass(frozen=True)
class Verdict:
    goal: Goal
    value: float | None
    measured_at: str

    @property
    def passed(self) -> bool | None:
        if self.value is None or math.isnan(self.value):
            return None
        if self.goal.at_least:
            return self.value >= self.goal.limit
        return self.value <= self.goal.limit

    @property
    def word(self) -> str:
        return {True: "PASS", False: "MISS", None: "n/a"}[self.passed]


def _get(results: Results, *path: str | int) -> float | None:
    node: Any = results
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return float(node) if isinstance(node, int | float) else None


def _largest_streams(results: Results) -> tuple[Results, str]:
    runs = [run for run in results.get("streams", []) if "error" not in run.get("relay", {})]
    if not runs:
        return {}, "not measured"
    run: Results = max(runs, key=lambda item: item["concurrency"])
    count = run["concurrency"]
    where = f"C={count}" if count >= 1000 else f"C={count}, not 1000"
    return run["relay"], where


def _streams_pick(
    figure: Callable[[Results], float | None],
) -> Callable[[Results], tuple[float | None, str]]:
    def pick(results: Results) -> tuple[float | None, str]:
        relay, where = _largest_streams(results)
        return (figure(relay) if relay else None), where

    return pick


def _unpaced_single(results: Results) -> tuple[float | None, str]:
    for run in results.get("raw", []):
        if run.get("concurrency") == 1:
            return _get(run, "relay", "total_tokens_per_s"), "1 stream"
    return None, "not measured"


def _all_completed(relay: Results) -> float | None:
    if "completed" not in relay:
        return None
    return 1.0 if relay["completed"] == relay["concurrency"] else 0.0


def _at(where: str, *path: str) -> Callable[[Results], tuple[float | None, str]]:
    return lambda results: (_get(results, *path), where)


GOALS: tuple[Goal, ...] = (
    Goal(
        "added time to first token, p50",
        2,
        " ms",
        False,
        _at("relay - direct", "ttft", "added_ms", "p50"),
    ),
    Goal(
        "added time to first token, p99",
        5,
        " ms",
        False,
        _at("relay - direct", "ttft", "added_ms", "p99"),
    ),
    Goal("concurrent streams all complete (1 = yes)", 1, "", True, _streams_pick(_all_completed)),
    Goal(
        "concurrent streams, share of ideal tokens/s",
        0.9,
        "",
        True,
        _streams_pick(lambda r: _get(r, "share_of_ideal")),
    ),
    Goal(
        "concurrent streams, p99 gap between token arrivals",
        60,
        " ms",
        False,
        _streams_pick(lambda r: _get(r, "arrival_gap_ms", "p99")),
    ),
    Goal(
        "server CPU-seconds per 1,000 tokens",
        0.04,
        " s",
        False,
        _streams_pick(lambda r: _get(r, "cpu_s_per_1k_tokens", "server")),
    ),
    Goal("single unpaced stream, tokens/s", 30_000, "", True, _unpaced_single),
    Goal(
        "idle RSS after start-up",
        120,
        " MB",
        False,
        _at("new database", "cold_start", "idle_rss_mb"),
    ),
    Goal(
        "idle RSS after warm-up",
        120,
        " MB",
        False,
        _at("after warm-up", "cold_start", "warm_rss_mb"),
    ),
    Goal(
        "cold start, new database", 2, " s", False, _at("spawn to healthy", "cold_start", "seconds")
    ),
    Goal(
        "cold start, large database",
        2,
        " s",
        False,
        _at("spawn to healthy", "data", "cold_start_large_database_s"),
    ),
    Goal(
        "list conversations, p50",
        10,
        " ms",
        False,
        _at("large database", "data", "list_first_page_ms", "p50"),
    ),
    Goal(
        "open a 500-message conversation, p50",
        30,
        " ms",
        False,
        _at("large database", "data", "open_large_conversation_ms", "p50"),
    ),
)


def evaluate(results: Results) -> list[Verdict]:
    """One verdict per goal; a figure that was not measured gets `n/a`."""
    verdicts = []
    for goal in GOALS:
        value, where = goal.pick(results)
        verdicts.append(Verdict(goal, value, where))
    return verdicts
