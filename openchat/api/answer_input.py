"""The input of the answer's two routes, read from the request without FastAPI's solver.

FastAPI solves every declared parameter again on each request. For posting a message and
opening its stream that was 430 k instructions of an answer's 4.5 M (`make
bench-instructions`), so these routes declare only the request and read their input here,
with the same checks and the same 422 shape. `openapi_extra` documents what they read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError
from starlette.requests import ClientDisconnect

from openchat.api.schemas import MessageCreate, ModelId
from openchat.errors import BadRequest


def conversation_id(request: Request) -> str:
    conversation: str = request.path_params["conversation_id"]
    return conversation


async def message_create(request: Request) -> MessageCreate:
    """The posted message, judged as FastAPI judges a JSON body: a JSON content type only,
    then parsed (an error names where, never repeats the body), then validated."""
    if not _is_json(request.headers.get("content-type")):
        raise _invalid_body("json_type", "The body must be JSON (Content-Type: application/json).")
    try:
        raw = await request.body()
    except ClientDisconnect:  # the asker left mid-upload: nothing to store, nothing went wrong
        raise BadRequest("The request body was cut off.") from None
    if not raw:
        raise _invalid_body("missing", "Field required")
    try:
        data = orjson.loads(raw)  # not valid UTF-8, a lone surrogate: invalid JSON too
    except orjson.JSONDecodeError as error:
        raise _invalid_body("json_invalid", "JSON decode error", error.pos, error.msg) from None
    try:
        return MessageCreate.model_validate(data)
    except ValidationError as error:
        raise RequestValidationError(_located("body", error)) from None


def _invalid_body(
    kind: str, message: str, position: int | None = None, reason: str | None = None
) -> RequestValidationError:
    where: tuple[str | int, ...] = ("body",) if position is None else ("body", position)
    detail: dict[str, Any] = {"type": kind, "loc": where, "msg": message, "input": {}}
    if reason is not None:
        detail["ctx"] = {"error": reason}
    return RequestValidationError([detail])


MODEL_ID: TypeAdapter[str] = TypeAdapter(ModelId)


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
    model = query.get("model")
    if model is not None:  # as a posted message's model is judged
        try:
            model = MODEL_ID.validate_python(model)
        except ValidationError as error:
            raise RequestValidationError(_located("query", error, "model")) from None
    return StreamQuery(model, resume_point(last_event_id, request.headers.get("last-event-id")))


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
    """`application/json` or `application/…+json`, whatever its parameters."""
    media_type = (content_type or "").partition(";")[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _located(where: str, error: ValidationError, *name: str) -> list[dict[str, Any]]:
    return [
        {**detail, "loc": (where, *name, *detail["loc"])}
        for detail in error.errors(include_url=False)
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
        # The edit route's body, which FastAPI lists among the components with its parts.
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MessageCreate"}}},
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
            "schema": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1},
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
