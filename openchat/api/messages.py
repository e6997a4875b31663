"""Message routes: post a message (which starts its answer), edit one, list, regenerate, stop."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request

from openchat.api import answer_input
from openchat.api.deps import ChatDep, ConversationDep, chat_of, get_conversation
from openchat.api.schemas import (
    ErrorOut,
    MessageCreate,
    MessageList,
    MessageOut,
    RegenerateRequest,
)
from openchat.api.strict_json import StrictJsonRoute

router = APIRouter(
    tags=["messages"],
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
    route_class=StrictJsonRoute,
)


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=MessageOut,
    openapi_extra=answer_input.MESSAGE_OPENAPI,
)
async def post_message(request: Request) -> MessageOut:
    """Store the user message and start its answer; stream it from `/stream`."""
    # Input read by hand (see answer_input); the conversation first, so an unknown one is a 404
    # whatever the body.
    conversation = await get_conversation(request, answer_input.conversation_id(request))
    body = await answer_input.message_create(request)
    chat = chat_of(request)
    message = await chat.send(
        conversation, body.message, body.model, body.client_message_id, body.attachments_asked()
    )
    return MessageOut.from_domain(message)


@router.post(
    "/conversations/{conversation_id}/messages/{message_id}/edit",
    response_model=MessageOut,
    responses={400: {"model": ErrorOut}},
)
async def edit_message(
    conversation: ConversationDep, chat: ChatDep, message_id: str, body: MessageCreate
) -> MessageOut:
    """Store a new version of a message you wrote and start its answer; stream it from
    `/stream`. The earlier version and what followed it stay stored (`?versions=all`). Without
    `attachments`, the new version keeps the edited message's images."""
    message = await chat.edit(
        conversation,
        message_id,
        body.message,
        body.model,
        body.client_message_id,
        body.attachments_asked(),
    )
    return MessageOut.from_domain(message)


@router.get("/conversations/{conversation_id}/messages", response_model=MessageList)
async def list_messages(
    conversation: ConversationDep,
    chat: ChatDep,
    versions: Annotated[Literal["current", "all"], Query()] = "current",
) -> MessageList:
    messages = await chat.messages(conversation, all_versions=versions == "all")
    return MessageList(data=[MessageOut.from_domain(message) for message in messages])


@router.post("/conversations/{conversation_id}/regenerate", response_model=MessageOut)
async def regenerate_answer(
    conversation: ConversationDep,
    chat: ChatDep,
    body: Annotated[RegenerateRequest | None, Body()] = None,
) -> MessageOut:
    """Start a new answer to the latest user message; the earlier one stays as a version."""
    message = await chat.regenerate(conversation, body.model if body else None)
    return MessageOut.from_domain(message)


@router.post("/conversations/{conversation_id}/stop", response_model=MessageOut)
async def stop_answer(conversation: ConversationDep, chat: ChatDep) -> MessageOut:
    """Stop the running answer; the partial text is stored as `cancelled`."""
    return MessageOut.from_domain(await chat.stop(conversation))
