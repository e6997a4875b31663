"""A sink for streamed answers that keeps what reached it, for tests to compare."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Reasoning:
    text: str


class Deltas(list[object]):
    """A sink that keeps what reached it, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = asyncio.Event()

    def add_text(self, text: str) -> None:
        self.append(Text(text))
        self.arrived.set()

    def add_reasoning(self, text: str) -> None:
        self.append(Reasoning(text))
