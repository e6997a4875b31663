"""GET /conversations/{id}/stream: the answer as Server-Sent Events, resumable.

Frames are encoded once by the generation; this route only relays bytes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request

from openchat.api.deps import chat_of, owner_of, resume_point
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
)
async def stream_answer(
    conversation_id: str,
    request: Request,
    model: str | None = None,
    last_event_id: Annotated[int | None, Query(ge=0)] = None,
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> EventStreamResponse:
    """Start, attach to, or replay the answer to the latest user message."""
    chat = chat_of(request)  # not a dependency: see deps
    owner = await owner_of(request)
    source = await chat.open_stream(owner, conversation_id, model)  # 404 before any byte
    frames: AsyncIterator[bytes]
    if isinstance(source, StoredAnswer):
        frames = _once(replay_frames(source.first_id, source.message))
    else:
        after = resume_point(last_event_id, last_event_id_header)
        frames = source.frames_after(after, chat.ping_interval)
    return EventStreamResponse(frames, headers=STREAM_HEADERS)


async def _once(frame: bytes) -> AsyncIterator[bytes]:
    yield frame
