"""Dependencies of the routes: the service, the settings, the owner, the conversation.

The conversation is looked up here, so an unknown id answers 404 before any stream starts.
Accounts can come later by changing `current_owner` alone. Every dependency is `async`:
FastAPI runs plain functions in a thread pool, a thread hop per request for nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query, Request

from openchat.chat.catalog import ModelCatalog
from openchat.chat.service import ChatService
from openchat.domain import LOCAL_OWNER, Conversation
from openchat.settings import Settings


async def get_chat(request: Request) -> ChatService:
    chat: ChatService = request.app.state.chat
    return chat


async def get_catalog(request: Request) -> ModelCatalog:
    catalog: ModelCatalog = request.app.state.catalog
    return catalog


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def current_owner() -> str:
    """The single local user, until accounts exist."""
    return LOCAL_OWNER


ChatDep = Annotated[ChatService, Depends(get_chat)]
CatalogDep = Annotated[ModelCatalog, Depends(get_catalog)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
OwnerDep = Annotated[str, Depends(current_owner)]


async def get_conversation(conversation_id: str, request: Request, owner: OwnerDep) -> Conversation:
    # The service is read here, not through ChatDep: FastAPI solves a dependency again for
    # every use, even a cached one, and the routes that take a conversation take ChatDep too.
    chat = await get_chat(request)
    return await chat.get_conversation(owner, conversation_id)


ConversationDep = Annotated[Conversation, Depends(get_conversation)]


async def last_event_id(
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    last_event_id: Annotated[int | None, Query(ge=0)] = None,
) -> int:
    """The `Last-Event-ID` header or `?last_event_id=`; 0 means from the start."""
    if last_event_id is not None:
        return last_event_id
    header = (last_event_id_header or "").strip()
    if header.isascii() and header.isdigit() and len(header) <= 18:
        return int(header)
    return 0  # absent or not an id of ours: from the start


LastEventIdDep = Annotated[int, Depends(last_event_id)]
