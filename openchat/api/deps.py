"""Dependencies of the routes: the service, the settings, the owner, the conversation.

The conversation is looked up by a dependency, so an unknown id answers 404 before the body
is validated. Accounts can come later by changing `owner_of` alone. Every dependency is
`async`: FastAPI runs sync ones in a thread pool, a thread hop per request for nothing.

The two routes every answer passes through (posting a message, its stream) call the functions
below directly, never through `Depends`, and read their input in `answer_input`: FastAPI
solves each dependency and parameter again on every request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from openchat.chat.catalog import ModelCatalog
from openchat.chat.service import ChatService
from openchat.domain import LOCAL_OWNER, Conversation
from openchat.settings import Settings


def chat_of(request: Request) -> ChatService:
    chat: ChatService = request.app.state.chat
    return chat


async def owner_of(request: Request) -> str:  # noqa: ARG001 - accounts will read the request
    """Who is asking: the single local user, until accounts exist."""
    return LOCAL_OWNER


async def get_chat(request: Request) -> ChatService:
    return chat_of(request)


async def get_catalog(request: Request) -> ModelCatalog:
    catalog: ModelCatalog = request.app.state.catalog
    return catalog


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def current_owner(request: Request) -> str:
    return await owner_of(request)


ChatDep = Annotated[ChatService, Depends(get_chat)]
CatalogDep = Annotated[ModelCatalog, Depends(get_catalog)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
OwnerDep = Annotated[str, Depends(current_owner)]


async def get_conversation(request: Request, conversation_id: str) -> Conversation:
    """The asker's conversation; NotFound (404) when it is not theirs or does not exist."""
    return await chat_of(request).get_conversation(await owner_of(request), conversation_id)


ConversationDep = Annotated[Conversation, Depends(get_conversation)]
