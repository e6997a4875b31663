"""GET /conversations/{id}/stream: the answer as Server-Sent Events, resumable.

Frames are encoded once by the generation; this route only relays bytes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request

from openchat.api import answer_input
from openchat.api.deps import chat_of, owner_of
from openchat.api.event_stream import EventStreamResponse
from openchat.api.schemas import ErrorOut
from openchat.chat.events import replay_frames
from openchat.chat.service import StoredAnswer

router = APIRouter(tags=["stream"])

STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@router.get(
    "/conversations/{conversation_id}/stream",
    response_class=EventStreamResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "The answer's events"},
        400: {"model": ErrorOut},
        404: {"model": ErrorOut},
    },
    openapi_extra=answer_input.STREAM_OPENAPI,
)
async def stream_answer(request: Request) -> EventStreamResponse:
    """Start, attach to, or replay the answer to the latest user message."""
    # Input read by hand, not declared: see answer_input.
    query = answer_input.stream_query(request)
    chat = chat_of(request)
    owner = await owner_of(request)
    conversation_id = answer_input.conversation_id(request)
    source = await chat.open_stream(owner, conversation_id, query.model)  # 404 before any byte
    frames: AsyncIterator[bytes]
    if isinstance(source, StoredAnswer):
        frames = _once(replay_frames(source.first_id, source.message))
    else:
        frames = source.frames_after(query.after, chat.ping_interval)
    return EventStreamResponse(frames, headers=STREAM_HEADERS)


async def _once(frame: bytes) -> AsyncIterator[bytes]:
    yield frame
