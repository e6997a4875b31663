"""What the simulator has seen and done, kept in memory and bounded: the completion request
log and counters behind `/_sim/*`, generation records for `/generation`, spend per key.
"""

from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Literal

import orjson

Json = dict[str, object]
Outcome = Literal["running", "complete", "error", "cancelled", "dropped", "stalled"]

# A long demo must not grow without bound; tests and benchmarks stay far below this.
RECORD_LIMIT = 10_000


@dataclass(slots=True)
class RequestRecord:
    """One completion request and what became of it."""

    id: str
    path: str
    headers: dict[str, str]
    body: object
    received_at: float
    outcome: Outcome = "running"
    status: int = 200
    chunks_sent: int = 0
    tokens_sent: int = 0

    def to_json(self) -> Json:
        return {
            "id": self.id,
            "path": self.path,
            "headers": self.headers,
            "body": self.body,
            "outcome": self.outcome,
            "status": self.status,
            "chunks_sent": self.chunks_sent,
            "tokens_sent": self.tokens_sent,
            "received_at": self.received_at,
        }


class Journal:
    """The request log, live counters, finished generations and spend per API key."""

    def __init__(self) -> None:
        self._records: deque[RequestRecord] = deque(maxlen=RECORD_LIMIT)
        self._generations: OrderedDict[str, Json] = OrderedDict()
        self._lookups: dict[str, int] = {}
        self._spend: dict[str, float] = {}
        self.requests = 0
        self.cancelled = 0
        self.open_streams = 0
        self.connections = 0  # opened by clients

    def receive(self, record: RequestRecord) -> None:
        self._records.append(record)
        self.requests += 1

    def settle(self, record: RequestRecord, outcome: Outcome) -> None:
        record.outcome = outcome
        if outcome == "cancelled":
            self.cancelled += 1

    def add_generation(self, generation: Json, key: str | None, cost: float) -> None:
        """Keep a finished generation for `/generation` and charge its cost to the key."""
        gen_id = generation["id"]
        assert isinstance(gen_id, str)
        self._generations[gen_id] = generation
        if len(self._generations) > RECORD_LIMIT:
            old_id, _ = self._generations.popitem(last=False)
            self._lookups.pop(old_id, None)
        if key is not None:
            self._spend[key] = self._spend.get(key, 0.0) + cost

    def generation(self, gen_id: str, misses: int) -> Json | None:
        """A stored generation, or None for unknown ids and for its first `misses` lookups
        (the live record is eventually consistent, so clients must retry)."""
        if gen_id not in self._generations:
            return None
        seen = self._lookups.get(gen_id, 0) + 1
        self._lookups[gen_id] = seen
        return self._generations[gen_id] if seen > misses else None

    def spend(self, key: str) -> float:
        return self._spend.get(key, 0.0)

    def records_body(self) -> bytes:
        return orjson.dumps([record.to_json() for record in self._records])

    def stats(self) -> Json:
        return {
            "requests": self.requests,
            "open_streams": self.open_streams,
            "cancelled": self.cancelled,
            "connections": self.connections,
        }

    def reset(self) -> None:
        """Forget the log and the counters; streams still open keep being counted."""
        self._records.clear()
        self.requests = 0
        self.cancelled = 0
        self.connections = 0
