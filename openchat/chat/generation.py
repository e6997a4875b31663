"""Server-owned answers: the per-answer event log and the registry of running answers.

A Generation is an append-only log of encoded SSE frames in one byte buffer; an
event's id is its position (after the answer's first id), so a `Last-Event-ID`
resume is a slice. Subscribers come
and go; the upstream task runs to the end or to stop(). The registry keeps
strong references to the running tasks, one per conversation, and recently finished
generations (their logs) for a short grace period so a late reconnect resumes exactly.
Another server's answer is read through a copy of its log (`is_copy`, see chat.shared_events).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Literal

from openchat.chat.events import (
    ANSWER_ID_SPAN,
    PING_FRAME,
    chunk_payload,
    reasoning_payload,
    sse_frame,
)
from openchat.domain import Message
from openchat.silence import SilenceTimer

StopReason = Literal["stop", "shutdown"]


class Generation:
    """One answer in progress and its replayable event log."""

    def __init__(
        self,
        conversation_id: str,
        message_id: str,
        model: str,
        created_at: datetime,
        owner_id: str = "",
        first_id: int = 0,
        is_copy: bool = False,
    ) -> None:
        self.conversation_id = conversation_id
        self.is_copy = is_copy  # of another server's answer (chat.shared_events)
        self.first_id = first_id  # ids are first_id + 1, + 2, ... (see events.ANSWER_ID_SPAN)
        self.owner_id = owner_id
        self.message_id = message_id
        self.model = model
        self.created_at = created_at
        self.text_parts: list[str] = []
        self.reasoning_parts: list[str] = []
        self.dirty = False
        self.stop_reason: StopReason | None = None
        self.finishing = False  # past the upstream call: storing the final state, not cancellable
        self.task: asyncio.Task[Message | None] | None = None
        self.closing: asyncio.Future[Message | None] | None = None  # a stop's own final save
        self.on_publish: Callable[[Generation], object] | None = None  # a copy elsewhere
        self._log = bytearray()  # every frame, back to back: compact, and a resume is one slice
        self._frame_ends: list[int] = []
        self._finished = False
        self._waiters: list[asyncio.Future[bool]] = []

    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def last_event_id(self) -> int:
        return self.first_id + len(self._frame_ends)

    @property
    def text(self) -> str:
        return _joined(self.text_parts)

    @property
    def reasoning(self) -> str:
        return _joined(self.reasoning_parts)

    def publish(self, payload: bytes) -> None:
        """Append one event and wake every subscriber."""
        self._log += sse_frame(self.first_id + len(self._frame_ends) + 1, payload)
        self._frame_ends.append(len(self._log))
        if self.on_publish is not None:
            self.on_publish(self)
        self._wake()

    def append_frames(self, frames: bytes) -> None:
        """Append frames encoded elsewhere, the next ones in order (a copy of another server's
        answer, chat.shared_events): each ends with the only blank line it holds."""
        end = len(self._log)
        self._log += frames
        while end < len(self._log):
            end = self._log.index(b"\n\n", end) + 2
            self._frame_ends.append(end)
        self._wake()

    def end(self) -> None:
        """No more events: subscribers end once they have read every one (for a copy whose
        writer is gone, with no closing event)."""
        self._finished = True
        self._wake()

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(True)

    def add_text(self, text: str) -> None:
        self.text_parts.append(text)
        self.dirty = True
        self.publish(chunk_payload(text))

    def add_reasoning(self, text: str) -> None:
        self.reasoning_parts.append(text)
        self.dirty = True
        self.publish(reasoning_payload(text))

    def finish(self, payload: bytes) -> None:
        """Publish the closing `done` or `error` event; subscribers end after it."""
        self._finished = True
        self.publish(payload)

    @property
    def frame_count(self) -> int:
        return len(self._frame_ends)

    def frames_from(self, index: int) -> bytes:
        """The frames from the `index`-th (0-based) on, back to back (for a copy elsewhere)."""
        return bytes(self._log[self._frame_ends[index - 1] if index else 0 :])

    async def frames_after(self, last_id: int, ping_interval: float) -> AsyncIterator[bytes]:
        """Yield every frame after `last_id`, batched per wake-up, pinging while idle.

        An id that is not one of this answer's (0, or kept from another answer) means from
        the start. A copy of another server's answer may not hold yet an id its reader saw
        there: its frames start after that id, once it does.
        """
        seen = last_id - self.first_id
        if not 0 < seen < ANSWER_ID_SPAN:
            seen = 0
        if not self.is_copy:
            seen = min(seen, len(self._frame_ends))
        position = -1  # in the log, once the frame `seen` is there
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[bool] | None = None

        def ping() -> None:
            if waiter is not None and not waiter.done():
                waiter.set_result(False)

        silence = SilenceTimer(ping_interval, ping)
        try:
            while True:
                if position < 0 and len(self._frame_ends) >= seen:
                    position = self._frame_ends[seen - 1] if seen else 0
                if 0 <= position < len(self._log):
                    batch = bytes(self._log[position:])
                    position += len(batch)
                    silence.touch()
                    yield batch
                    continue
                if self._finished:
                    return
                waiter = loop.create_future()
                self._waiters.append(waiter)
                try:
                    woken = await waiter
                finally:
                    if not waiter.done():  # the subscriber left; publish() skips done waiters
                        waiter.cancel()
                if not woken:
                    yield PING_FRAME
        finally:
            silence.stop()


def _joined(parts: list[str]) -> str:
    """The parts as one string, kept as their only part: the next join (each checkpoint's)
    starts from it, and a token's own string is freed."""
    if len(parts) > 1:
        parts[:] = ["".join(parts)]
    return parts[0] if parts else ""


class GenerationRegistry:
    """Running generations by conversation (at most one each) and recently finished ones."""

    def __init__(self, grace_seconds: float = 120.0) -> None:
        self._grace = grace_seconds
        self._running: dict[str, Generation] = {}
        self._recent: dict[str, Generation] = {}

    def running(self, conversation_id: str) -> Generation | None:
        return self._running.get(conversation_id)

    def recent(self, conversation_id: str, message_id: str) -> Generation | None:
        """The live or recently finished generation of that message, if still held."""
        for generation in (self._running.get(conversation_id), self._recent.get(conversation_id)):
            if generation is not None and generation.message_id == message_id:
                return generation
        return None

    def add(self, generation: Generation) -> None:
        self._running[generation.conversation_id] = generation

    def release(self, generation: Generation) -> None:
        """Move a finished generation to the grace list, dropping it when the grace ends.

        Its log is what the grace is for: its task (and with it the stored message, the task's
        result) and the text's pieces are let go at once.
        """
        if self._running.get(generation.conversation_id) is generation:
            del self._running[generation.conversation_id]
        generation.task = None
        _joined(generation.text_parts)
        _joined(generation.reasoning_parts)
        self._recent[generation.conversation_id] = generation
        asyncio.get_running_loop().call_later(self._grace, self._forget, generation)

    def forget_conversation(self, conversation_id: str) -> None:
        self._recent.pop(conversation_id, None)

    def _forget(self, generation: Generation) -> None:
        if self._recent.get(generation.conversation_id) is generation:
            del self._recent[generation.conversation_id]

    def request_stop(self, generation: Generation, reason: StopReason) -> bool:
        """Cancel the generation's task once, and never while it stores its final state."""
        if generation.stop_reason is not None or generation.finishing or generation.task is None:
            return False
        generation.stop_reason = reason
        generation.task.cancel()
        return True

    def dirty(self) -> list[Generation]:
        return [generation for generation in self._running.values() if generation.dirty]

    def all_running(self) -> list[Generation]:
        return list(self._running.values())
