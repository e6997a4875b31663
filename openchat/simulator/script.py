"""Behaviour knobs: the per-request Script (server defaults, overridden by `[[sim key=value]]`
directives in the last user message) and the server-wide Options, both validated here.
"""

import contextlib
import dataclasses
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

UsageMode = Literal["last", "empty", "merged", "none"]
ReplyMode = Literal["prose", "echo", "markdown"]
FinishReason = Literal["stop", "length", "content_filter", "tool_calls"]
ErrorForm = Literal["1", "2", "html"]

ERROR_STATUSES = (400, 401, 402, 403, 404, 408, 413, 422, 429, 500, 502, 503, 524, 529)

_DIRECTIVE = re.compile(r"\[\[sim\b([^\]]*)\]\]")


class ScriptError(ValueError):
    """A directive or configuration value the simulator cannot honour (answered with 400)."""


@dataclass(frozen=True, slots=True)
class Script:
    """How one completion behaves; every field is both a directive key and a config key."""

    tokens: int = 40
    tps: float = 40.0
    ttft: float = 0.3
    keepalive_interval: float = 0.1
    reasoning: int | None = None
    reply: ReplyMode = "prose"
    finish: FinishReason = "stop"
    usage: UsageMode = "last"
    crlf: bool = False
    status: int | None = None
    form: ErrorForm = "1"
    retry_after: float | None = None
    fail_after: int | None = None
    fail_done: bool = False
    drop_after: int | None = None
    stall_after: int | None = None
    malformed_after: int | None = None


@dataclass(frozen=True, slots=True)
class Options:
    """Server-wide settings that no single request may change."""

    require_key: str | None = None
    management_key: str | None = None
    generation_misses: int = 0
    key_limit: float | None = None


Converter = Callable[[str, object], Any]


def _number(key: str, raw: object) -> float:
    value = math.nan
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    elif isinstance(raw, str):
        with contextlib.suppress(ValueError):
            value = float(raw)
    if not math.isfinite(value) or value < 0:
        raise ScriptError(f"{key} must be a number >= 0, got {raw!r}")
    return value


def _count(key: str, raw: object) -> int:
    value = _number(key, raw)
    if value != int(value):
        raise ScriptError(f"{key} must be a whole number, got {raw!r}")
    return int(value)


def _flag(key: str, raw: object) -> bool:
    text = str(raw).lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ScriptError(f"{key} must be 1 or 0, got {raw!r}")


def _status(key: str, raw: object) -> int:
    status = _count(key, raw)
    if status not in ERROR_STATUSES:
        raise ScriptError(f"{key} must be one of {', '.join(map(str, ERROR_STATUSES))}")
    return status


def _text(key: str, raw: object) -> str:
    if not isinstance(raw, str) or not raw:
        raise ScriptError(f"{key} must be a non-empty string, got {raw!r}")
    return raw


def _choice(options: tuple[str, ...]) -> Converter:
    def convert(key: str, raw: object) -> str:
        if str(raw) not in options:
            raise ScriptError(f"{key} must be one of {', '.join(options)}, got {raw!r}")
        return str(raw)

    return convert


def _optional(convert: Converter) -> Converter:
    def convert_optional(key: str, raw: object) -> Any:
        return None if raw is None or raw in ("none", "null") else convert(key, raw)

    return convert_optional


_SCRIPT_FIELDS: dict[str, Converter] = {
    "tokens": _count,
    "tps": _number,
    "ttft": _number,
    "keepalive_interval": _number,
    "reasoning": _optional(_count),
    "reply": _choice(get_args(ReplyMode)),
    "finish": _choice(get_args(FinishReason)),
    "usage": _choice(get_args(UsageMode)),
    "crlf": _flag,
    "status": _optional(_status),
    "form": _choice(get_args(ErrorForm)),
    "retry_after": _optional(_number),
    "fail_after": _optional(_count),
    "fail_done": _flag,
    "drop_after": _optional(_count),
    "stall_after": _optional(_count),
    "malformed_after": _optional(_count),
}

_OPTION_FIELDS: dict[str, Converter] = {
    "require_key": _optional(_text),
    "management_key": _optional(_text),
    "generation_misses": _count,
    "key_limit": _optional(_number),
}


def _converted(fields: Mapping[str, Converter], values: Mapping[str, object]) -> dict[str, Any]:
    return {key: fields[key](key, raw) for key, raw in values.items()}


def with_values(script: Script, values: Mapping[str, object]) -> Script:
    """`script` with some knobs changed; unknown keys and bad values raise ScriptError."""
    unknown = sorted(set(values) - set(_SCRIPT_FIELDS))
    if unknown:
        known = ", ".join(_SCRIPT_FIELDS)
        raise ScriptError(f"unknown sim key {unknown[0]!r} (known: {known})")
    return dataclasses.replace(script, **_converted(_SCRIPT_FIELDS, values))


def configure(
    script: Script, options: Options, values: Mapping[str, object]
) -> tuple[Script, Options]:
    """Apply a `/_sim/config` update, where Script and Options keys may be mixed."""
    unknown = sorted(set(values) - set(_SCRIPT_FIELDS) - set(_OPTION_FIELDS))
    if unknown:
        raise ScriptError(f"unknown config key {unknown[0]!r}")
    option_values = {key: raw for key, raw in values.items() if key in _OPTION_FIELDS}
    script_values = {key: raw for key, raw in values.items() if key in _SCRIPT_FIELDS}
    options = dataclasses.replace(options, **_converted(_OPTION_FIELDS, option_values))
    return with_values(script, script_values), options


def describe(script: Script, options: Options) -> dict[str, object]:
    """The configuration as `/_sim/config` shows it."""
    return {**dataclasses.asdict(script), **dataclasses.asdict(options)}


def read_directives(text: str) -> tuple[dict[str, str], str]:
    """The key=value pairs of every `[[sim ...]]` in `text` (later ones win) and the text
    with the directives cut out and nothing else changed."""
    values: dict[str, str] = {}
    for match in _DIRECTIVE.finditer(text):
        for item in match.group(1).split():
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise ScriptError(f"sim directive item {item!r} is not key=value")
            values[key] = value
    return values, _DIRECTIVE.sub("", text)


def last_user_text(body: Mapping[str, object]) -> str:
    """The text of the last user message (text parts joined), or the legacy `prompt`."""
    messages = body.get("messages")
    if not isinstance(messages, list):
        prompt = body.get("prompt")
        return prompt if isinstance(prompt, str) else ""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return text_of(message.get("content"))
    return ""


def images_in(content: object) -> list[object]:
    """The `image_url` values of a message `content` (a parts array; a string has none)."""
    if not isinstance(content, list):
        return []
    return [
        part.get("image_url")
        for part in content
        if isinstance(part, dict) and part.get("type") == "image_url"
    ]


def last_user_content(body: Mapping[str, object]) -> object:
    """The `content` of the last user message, None when there is none."""
    messages = body.get("messages")
    if isinstance(messages, list):
        for message in reversed(messages):
            if isinstance(message, dict) and message.get("role") == "user":
                return message.get("content")
    return None


def text_of(content: object) -> str:
    """The text of a message `content`: a string, or the text parts of a parts array."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            part["text"]
            for part in content
            if isinstance(part, dict)
            and part.get("type") == "text"
            and isinstance(part.get("text"), str)
        )
    return ""


def script_for(defaults: Script, body: Mapping[str, object]) -> tuple[Script, str]:
    """The Script for one request and its last user text with directives removed."""
    values, text = read_directives(last_user_text(body))
    return with_values(defaults, values), text
