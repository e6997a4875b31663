"""From a chat completion request to a Plan: authentication, directives, model resolution,
answer and reasoning tokens, prompt size and price, or the error that refuses the request.
"""

import random
import string
import time
from collections.abc import Mapping

import orjson

from openchat.simulator.answers import AnswerBook, split_tokens
from openchat.simulator.catalog import Catalog, ModelEntry
from openchat.simulator.envelopes import ErrorContext, ErrorReply, plain_error, scripted_error
from openchat.simulator.journal import RequestRecord
from openchat.simulator.script import (
    Options,
    Script,
    ScriptError,
    images_in,
    last_user_content,
    script_for,
    text_of,
)
from openchat.simulator.stream import Plan
from openchat.simulator.wire import ChunkEncoder

DEFAULT_MODEL = "openai/gpt-4o-mini"
# How many reasoning tokens a thinking model streams before its answer, unless told otherwise.
DEFAULT_REASONING_TOKENS = 16
_ALPHANUMERIC = string.ascii_letters + string.digits
# What an image costs of the prompt (a low-detail tile, as OpenAI counts it).
IMAGE_PROMPT_TOKENS = 85
# Live, a request with an image for a model that reads none finds no provider.
NO_IMAGE_INPUT = "No endpoints found that support image input"


class Refusal(Exception):
    """A request answered with an error before any completion starts."""

    def __init__(self, reply: ErrorReply) -> None:
        super().__init__(reply.status)
        self.reply = reply


def new_generation_id() -> str:
    """`gen-<unix seconds>-<20 alphanumerics>`, the shape of live ids."""
    # Ids need to be unique, not secret: random.choices is ten times cheaper than secrets.
    suffix = "".join(random.choices(_ALPHANUMERIC, k=20))
    return f"gen-{int(time.time())}-{suffix}"


def parse_json(body: bytes) -> object:
    """The parsed body, or None when it is empty or not JSON."""
    try:
        return orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return None


def authorize(headers: Mapping[str, str], required_key: str | None) -> str:
    """The bearer key of a request; Refusal(401) when missing or not the required one."""
    scheme, _, key = headers.get("authorization", "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise Refusal(plain_error(401, "No auth credentials found"))
    if required_key is not None and key != required_key:
        raise Refusal(plain_error(401, "User not found."))
    return key


class Planner:
    """Decides everything a completion will send before its first byte."""

    def __init__(self, catalog: Catalog, book: AnswerBook) -> None:
        self._catalog = catalog
        self._book = book

    def plan(
        self,
        headers: Mapping[str, str],
        record: RequestRecord,
        defaults: Script,
        options: Options,
    ) -> Plan:
        """The Plan for a recorded request; raises Refusal with the error to send instead."""
        key = authorize(headers, options.require_key)
        body = record.body
        if not isinstance(body, dict):
            raise Refusal(plain_error(400, "Invalid JSON in request body"))
        if not isinstance(body.get("messages"), list) and not isinstance(body.get("prompt"), str):
            raise Refusal(plain_error(400, 'Input required: specify "prompt" or "messages"'))
        try:
            script, text = script_for(defaults, body)
        except ScriptError as error:
            raise Refusal(plain_error(400, f"sim directive: {error}")) from None
        requested = body.get("model")
        requested = requested if isinstance(requested, str) and requested else DEFAULT_MODEL
        resolved = self._resolve(requested, body.get("models"))
        if script.status is not None:
            raise Refusal(_scripted_error(script, body, requested, resolved, text))
        if resolved is None:
            raise Refusal(plain_error(400, f"{requested} is not a valid model ID"))
        entry, model = resolved
        images = _images(body)
        if images and not entry.reads_images:
            raise Refusal(plain_error(404, NO_IMAGE_INPUT))
        reasoning_count, show_reasoning = _reasoning(script, entry, model, body)
        return Plan(
            script=script,
            encoder=ChunkEncoder(
                gen_id=record.id,
                provider=entry.provider,
                model=model,
                created=int(record.received_at),
                crlf=script.crlf,
            ),
            content=self._answer(script, text, len(images_in(last_user_content(body)))),
            reasoning=self._book.reasoning(reasoning_count),
            show_reasoning=show_reasoning,
            streamed=body.get("stream") is True,
            prompt_tokens=_prompt_tokens(body) + IMAGE_PROMPT_TOKENS * len(images),
            prompt_price=entry.prompt_price,
            completion_price=entry.completion_price,
            key=key,
        )

    def _resolve(self, requested: str, fallbacks: object) -> tuple[ModelEntry, str] | None:
        """The serving model and the id to report: the first listed of `model` and `models[]`."""
        candidates = [requested]
        if isinstance(fallbacks, list):
            candidates += [model for model in fallbacks if isinstance(model, str)]
        for candidate in candidates:
            entry = self._catalog.find(candidate)
            if entry is not None:
                served = self._catalog.serving(entry)
                return served, candidate if served is entry else served.id
        return None

    def _answer(self, script: Script, text: str, images: int) -> list[str]:
        if script.reply == "echo":
            return split_tokens(text)
        if script.reply == "markdown":
            return self._book.markdown(script.tokens)
        if not images:
            return self._book.prose(text, script.tokens)
        # A prose answer says how many images it was shown, so a test can see they arrived.
        seen = split_tokens(f"I see {images} image{'s' if images > 1 else ''}. ")
        return (seen + self._book.prose(text, script.tokens))[: script.tokens]


def _images(body: Mapping[str, object]) -> list[object]:
    """Every image of the request's messages; Refusal(400) for one that is no URL."""
    messages = body.get("messages")
    found = [
        image
        for message in (messages if isinstance(messages, list) else [])
        if isinstance(message, dict)
        for image in images_in(message.get("content"))
    ]
    for image in found:
        url = image.get("url") if isinstance(image, dict) else None
        if not isinstance(url, str) or not url.startswith(("data:image/", "https://", "http://")):
            raise Refusal(plain_error(400, "Invalid image_url: expected a data: or http(s) URL"))
    return found


def _reasoning(
    script: Script, entry: ModelEntry, model: str, body: Mapping[str, object]
) -> tuple[int, bool]:
    """How many reasoning tokens to produce, and whether to send them or only count them."""
    settings = body.get("reasoning")
    settings = settings if isinstance(settings, dict) else {}
    hidden = settings.get("exclude") is True or body.get("include_reasoning") is False
    if script.reasoning is not None:
        return script.reasoning, not hidden
    disabled = (
        settings.get("effort") == "none"
        or settings.get("enabled") is False
        or body.get("reasoning_effort") == "none"
    )
    thinks = entry.reasoning or "reason" in model or "think" in model
    return (DEFAULT_REASONING_TOKENS if thinks and not disabled else 0), not hidden


def _scripted_error(
    script: Script,
    body: Mapping[str, object],
    requested: str,
    resolved: tuple[ModelEntry, str] | None,
    text: str,
) -> ErrorReply:
    max_tokens = body.get("max_tokens", body.get("max_completion_tokens"))
    context = ErrorContext(
        model=resolved[1] if resolved else requested,
        provider=resolved[0].provider if resolved else "OpenAI",
        flagged_input=text,
        max_tokens=max_tokens if isinstance(max_tokens, int) else None,
        retry_after=script.retry_after,
        now=time.time(),
    )
    assert script.status is not None
    return scripted_error(script.status, script.form, context)


def _prompt_tokens(body: Mapping[str, object]) -> int:
    """A rough count (four characters a token, plus framing per message), stable per prompt."""
    messages = body.get("messages")
    if not isinstance(messages, list):
        prompt = body.get("prompt")
        return max(1, len(prompt) // 4) if isinstance(prompt, str) else 1
    chars = sum(len(text_of(m.get("content"))) for m in messages if isinstance(m, dict))
    return max(1, chars // 4 + 4 * len(messages))
