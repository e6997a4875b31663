"""HTTP only: parse, call the service, shape the response."""

from fastapi import APIRouter

from openchat.api import conversations, health, messages, models, stream

router = APIRouter()
for module in (health, models, conversations, messages, stream):
    router.include_router(module.router)
