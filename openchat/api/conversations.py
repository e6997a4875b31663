"""Conversation routes: create, list (cursor paging), get with messages, rename, delete."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from openchat.api.deps import ChatDep, ConversationDep, OwnerDep
from openchat.api.schemas import (
    ConversationCreate,
    ConversationDetail,
    ConversationListItem,
    ConversationOut,
    ConversationPage,
    ConversationUpdate,
    ErrorOut,
    MessageOut,
)
from openchat.api.strict_json import StrictJsonRoute
from openchat.domain import ConversationPatch

router = APIRouter(
    tags=["conversations"], responses={404: {"model": ErrorOut}}, route_class=StrictJsonRoute
)


@router.post("/conversations", status_code=status.HTTP_201_CREATED, response_model=ConversationOut)
async def create_conversation(
    body: ConversationCreate, chat: ChatDep, owner: OwnerDep
) -> ConversationOut:
    conversation = await chat.create_conversation(
        owner, body.title, body.default_model, body.system_prompt, body.temperature
    )
    return ConversationOut.from_domain(conversation)


@router.get(
    "/conversations",
    response_model=ConversationPage,
    responses={
        400: {"model": ErrorOut, "description": "A cursor that is not valid, or a NUL character."}
    },
)
async def list_conversations(
    chat: ChatDep,
    owner: OwnerDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Chats whose title has this text, or with a message that has its words",
        ),
    ] = None,
) -> ConversationPage:
    page = await chat.list_conversations(owner, limit, cursor, q)
    return ConversationPage(
        data=[ConversationListItem.listed(item, page.matches.get(item.id)) for item in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/conversations/{conversation_id}", response_model=ConversationDetail)
async def get_conversation(
    conversation: ConversationDep,
    chat: ChatDep,
    versions: Annotated[Literal["current", "all"], Query()] = "current",
) -> ConversationDetail:
    messages = await chat.messages(conversation, all_versions=versions == "all")
    return ConversationDetail(
        **ConversationOut.from_domain(conversation).model_dump(),
        messages=[MessageOut.from_domain(message) for message in messages],
    )


@router.patch("/conversations/{conversation_id}", response_model=ConversationOut)
async def update_conversation(
    conversation: ConversationDep, body: ConversationUpdate, chat: ChatDep, owner: OwnerDep
) -> ConversationOut:
    patch = ConversationPatch(
        title=body.title,
        default_model=body.default_model,
        system_prompt=body.system_prompt,
        temperature=body.temperature if "temperature" in body.model_fields_set else ...,
    )
    updated = await chat.update_conversation(owner, conversation.id, patch)
    return ConversationOut.from_domain(updated)


@router.delete("/conversations/{conversation_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_conversation(conversation: ConversationDep, chat: ChatDep) -> Response:
    await chat.delete_conversation(conversation)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
