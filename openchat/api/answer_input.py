"""The input of the answer's two routes, read from the request without FastAPI's solver.

FastAPI solves every declared parameter again on each request. For posting a message and
opening its stream that was 430 k instructions of an answer's 4.5 M (`make
bench-instructions`), so these routes declare only the request and read their input here,
with the same checks and the same 422 shape. `openapi_extra` documents what they read.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message as ContentType
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from openchat.api.schemas import MessageCreate


def conversation_id(request: Request) -> str:
    conversation: str = request.path_params["conversation_id"]
    return conversation


async def message_create(request: Request) -> MessageCreate:
    """The posted message, judged as FastAPI judges a JSON body (a JSON content type only)."""
    if not _is_json(request.headers.get("content-type")):
        raise RequestValidationError(
            [{"type": "json_type", "loc": ("body",), "msg": "The body must be JSON."}]
        )
    body = await request.body()
    try:
        return MessageCreate.model_validate_json(body)
    except ValidationError as error:
        raise RequestValidationError(_located("body", error)) from None


@dataclass(frozen=True)
class StreamQuery:
    model: str | None
    after: int  # the event id to resume after; 0 is the start


def stream_query(request: Request) -> StreamQuery:
    """`?model=`, and the resume point: `?last_event_id=` (an integer ≥ 0) or `Last-Event-ID`."""
    query = request.query_params
    raw = query.get("last_event_id")
    last_event_id: int | None = None
    if raw is not None:
        if not _is_event_id(raw):
            raise RequestValidationError(
                [
                    {
                        "type": "int_parsing",
                        "loc": ("query", "last_event_id"),
                        "msg": "Input should be a whole number, 0 or more",
                        "input": raw,
                    }
                ]
            )
        last_event_id = int(raw)
    return StreamQuery(
        query.get("model"), resume_point(last_event_id, request.headers.get("last-event-id"))
    )


def resume_point(query: int | None, header: str | None) -> int:
    """The event id to resume after: `?last_event_id=`, else `Last-Event-ID`; 0 is the start."""
    if query is not None:
        return query
    header = (header or "").strip()
    if _is_event_id(header):
        return int(header)
    return 0  # absent or not an id of ours: from the start


def _is_event_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 18


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    parsed = ContentType()
    parsed["content-type"] = content_type
    subtype = parsed.get_content_subtype()
    return parsed.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def _located(where: str, error: ValidationError) -> list[dict[str, Any]]:
    return [
        {**detail, "loc": (where, *detail["loc"])} for detail in error.errors(include_url=False)
    ]


# What the two routes read, for the API docs.
CONVERSATION_PARAMETER = {
    "name": "conversation_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "title": "Conversation Id"},
}
INVALID_INPUT = {
    "422": {
        "description": "Validation Error",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}
        },
    }
}
MESSAGE_OPENAPI: dict[str, Any] = {
    "parameters": [CONVERSATION_PARAMETER],
    "responses": INVALID_INPUT,
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": MessageCreate.model_json_schema()}},
    },
}
STREAM_OPENAPI: dict[str, Any] = {
    "responses": INVALID_INPUT,
    "parameters": [
        CONVERSATION_PARAMETER,
        {
            "name": "model",
            "in": "query",
            "required": False,
            "description": "The model of an answer this request starts, if none runs yet.",
            "schema": {"type": "string"},
        },
        {
            "name": "last_event_id",
            "in": "query",
            "required": False,
            "description": "Resume after this event id (for clients that cannot set headers).",
            "schema": {"type": "integer", "minimum": 0},
        },
        {
            "name": "Last-Event-ID",
            "in": "header",
            "required": False,
            "description": "Resume after this event id, as browsers send it on reconnect.",
            "schema": {"type": "string"},
        },
    ],
}
