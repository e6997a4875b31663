"""HTTP only: parse, call the service, shape the response."""

from fastapi import APIRouter

from openchat.api import attachments, conversations, health, messages, models, stream

# Included one by one into the app, not through a router of routers: FastAPI matches every
# level of inclusion on each request (twice), about 45 µs of CPU per request for each level.
# Matching tries them in this order: the routes every answer passes through come first, for
# the requests api.hot_routes leaves to FastAPI (under a root path).
ROUTERS: tuple[APIRouter, ...] = tuple(
    module.router for module in (messages, stream, conversations, models, health, attachments)
)
# The order of the API docs' sections, which matching order would otherwise set.
OPENAPI_TAGS = [
    {"name": str(module.router.tags[0])}
    for module in (health, models, conversations, messages, stream, attachments)
]
