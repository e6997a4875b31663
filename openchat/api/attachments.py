"""The images sent with messages, served back to the browser."""

from __future__ import annotations

from fastapi import APIRouter, Response

from openchat.api.deps import ChatDep, OwnerDep
from openchat.api.schemas import ErrorOut

router = APIRouter(tags=["attachments"], responses={404: {"model": ErrorOut}})

# An attachment's bytes never change: the browser may keep them as long as it likes.
FOREVER = "private, max-age=31536000, immutable"


@router.get(
    "/attachments/{attachment_id}",
    response_class=Response,
    responses={200: {"content": {"image/*": {}}, "description": "The image's bytes."}},
)
async def get_attachment(attachment_id: str, owner: OwnerDep, chat: ChatDep) -> Response:
    """An image sent with a message, as it was sent."""
    media_type, data = await chat.attachment(owner, attachment_id)
    return Response(data, media_type=media_type, headers={"Cache-Control": FOREVER})
