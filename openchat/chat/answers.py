"""The task that writes one answer: the upstream client hands the text into the generation's
event log as it arrives, and the task stores the final state. Failures become an `error`
event and a stored status, never an exception."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from openchat.chat.events import closing_payload
from openchat.chat.generation import Generation, GenerationRegistry
from openchat.domain import Message, MessageStatus, Sampling, Turn, Usage
from openchat.errors import NotFound, OpenChatError, UpstreamError
from openchat.storage.store import AnswerUpdate, ChatStore
from openchat.upstream.openrouter import DeltaSink, Finished

log = logging.getLogger(__name__)

# Streams an answer into the sink (the generation) and returns how it finished.
StreamChat = Callable[[str, Sequence[Turn], DeltaSink, Sampling], Awaitable[Finished]]
Release = Callable[[str], Awaitable[None]]

NOT_CONFIGURED = (
    "No OpenRouter API key is configured. Set OPENROUTER_API_KEY in the .env file at the project"
    " root (or the environment) and restart Open Chat."
)
SERVER_STOPPED = (
    "The server stopped while this answer was being written. The partial answer is kept."
)
FINAL_SAVE_RETRIES = (0.2, 1.0, 3.0)  # seconds before each retry of a failed final save
INTERNAL = "Something went wrong while writing this answer. The partial answer is kept."


class AnswerWriter:
    """Runs generations to their end and stores what they produced."""

    def __init__(
        self,
        store: ChatStore,
        registry: GenerationRegistry,
        stream_chat: StreamChat | None,
        release: Release | None = None,
    ) -> None:
        self._store = store
        self._registry = registry
        self._stream_chat = stream_chat  # None when no API key is configured
        self._release = release  # lets other servers start the next answer (SharedAnswers)

    async def run(
        self, generation: Generation, turns: Sequence[Turn], sampling: Sampling
    ) -> Message | None:
        """Stream the answer, then store and publish its final state. Never raises."""
        update = await self._stream(generation, turns, sampling)
        generation.finishing = True  # from here on, stop and shutdown wait instead of cancelling
        return await self.finish(generation, update)

    def stopped_before_start(self, generation: Generation) -> AnswerUpdate:
        """The final state of an answer whose task was cancelled before it ran at all: by a
        stop (`cancelled`) or a shutdown (`interrupted`)."""
        text, reasoning = generation.text, generation.reasoning or None
        if generation.stop_reason == "shutdown":
            return AnswerUpdate(
                generation.message_id, text, reasoning, "interrupted", error=SERVER_STOPPED
            )
        return AnswerUpdate(
            generation.message_id, text, reasoning, "cancelled", finish_reason="cancelled"
        )

    async def finish(self, generation: Generation, update: AnswerUpdate) -> Message | None:
        """Store the final state, publish the closing event and release the generation."""
        message = await self._store_final(generation, update)
        if self._release is not None:  # before the closing event: the next answer may follow it
            await self._release(generation.conversation_id)
        generation.finish(
            closing_payload(
                generation.message_id,
                update.status,
                update.error or INTERNAL,
                update.error_code,
                update.finish_reason,
                update.usage,
            )
        )
        self._registry.release(generation)
        # One line per answer, at its end (with how it ended): each INFO line costs about as
        # much as two tokens relayed.
        log.info(
            "Answer for conversation %s: %s after %.1f s with model %s",
            generation.conversation_id,
            update.status,
            (datetime.now(UTC) - generation.created_at).total_seconds(),
            generation.model,
        )
        return message

    async def _store_final(self, generation: Generation, update: AnswerUpdate) -> Message | None:
        """Write the final state, retrying a passing database fault before giving up."""
        for delay in (*FINAL_SAVE_RETRIES, None):
            try:
                return await self._store.finish_answer(update)
            except NotFound:
                log.info(
                    "Conversation %s was deleted while its answer ran", generation.conversation_id
                )
                return None
            except Exception as error:  # the event still reaches the reader
                log.error(
                    "Could not store the answer %s: %s", generation.message_id, type(error).__name__
                )
                if delay is None:
                    return None
                await asyncio.sleep(delay)
        return None

    async def _with_images(self, turns: Sequence[Turn]) -> Sequence[Turn]:
        """The turns with their images' bytes, read now: only the request needs them."""
        wanted = [item.id for turn in turns for item in turn.attachments]
        if not wanted:
            return turns
        found = await self._store.attachment_data(wanted)
        return [
            replace(turn, images=tuple(found[item.id] for item in turn.attachments))
            if turn.attachments
            else turn
            for turn in turns
        ]

    async def _stream(
        self, generation: Generation, turns: Sequence[Turn], sampling: Sampling
    ) -> AnswerUpdate:
        status: MessageStatus = "complete"
        error: str | None = None
        code: int | None = None
        finish_reason: str | None = None
        usage: Usage | None = None
        log.debug(
            "Streaming response for conversation %s with model %s",
            generation.conversation_id,
            generation.model,
        )
        try:
            if self._stream_chat is None:
                raise UpstreamError(NOT_CONFIGURED, upstream_status=503)
            turns = await self._with_images(turns)
            finished = await self._stream_chat(generation.model, turns, generation, sampling)
            finish_reason, usage = finished.finish_reason, finished.usage
        except OpenChatError as failure:
            status, error = "error", failure.detail
            code = failure.upstream_status if isinstance(failure, UpstreamError) else None
            log.error(
                "Answer for conversation %s failed (upstream status %s)",
                generation.conversation_id,
                code,
            )
        except asyncio.CancelledError:
            if generation.stop_reason == "stop":
                status, finish_reason = "cancelled", "cancelled"
            else:
                status, error = "interrupted", SERVER_STOPPED
        except Exception as failure:
            status, error = "error", INTERNAL
            log.error(
                "Answer for conversation %s failed: %s",
                generation.conversation_id,
                type(failure).__name__,
            )
        return AnswerUpdate(
            message_id=generation.message_id,
            content=generation.text,
            reasoning=generation.reasoning or None,
            status=status,
            error=error,
            error_code=code,
            finish_reason=finish_reason,
            usage=usage,
        )
