"""What one benchmark run measures: counts, sizes and rates; `--quick` shrinks them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Plan:
    """What one run measures; `--quick` shrinks it to a smoke run."""

    mode: str = "full"
    ttft_samples: int = 200
    ttft_tokens: int = 8
    concurrency: list[int] = field(default_factory=lambda: [50, 200, 500, 1000])
    stream_tokens: int = 200
    stream_tps: float = 50.0
    ramp_s: float = 1.0
    raw_counts: list[int] = field(default_factory=lambda: [1, 20])
    raw_tokens: int = 2000
    raw_rounds: int = 5
    client_processes: int = 0  # 0: one, or two from 500 streams on
    warmup_answers: int = 20
    data_conversations: int = 10_000
    data_messages: int = 200_000
    api_samples: dict[str, int] = field(
        default_factory=lambda: {
            "list_samples": 200,
            "cursor_walks": 20,
            "cursor_pages": 5,
            "open_samples": 100,
            "search_samples": 100,
        }
    )

    @classmethod
    def quick(cls) -> Plan:
        return cls(
            mode="quick",
            ttft_samples=50,
            concurrency=[50, 200],
            raw_counts=[1, 20],
            raw_rounds=1,
            warmup_answers=10,
            data_conversations=500,
            data_messages=10_000,
            api_samples={
                "list_samples": 50,
                "cursor_walks": 5,
                "cursor_pages": 5,
                "open_samples": 30,
                "search_samples": 30,
            },
        )

    def shards(self, count: int) -> int:
        return self.client_processes or (2 if count >= 500 else 1)
