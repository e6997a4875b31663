"""The simulated model catalogue: full OpenRouter model objects built once from roster.py,
lookup by id (with `:variant` suffixes) and the per-token prices behind `usage.cost`.
"""

import datetime as dt
import zlib
from dataclasses import dataclass
from decimal import Decimal

import orjson

from openchat.simulator.roster import AUTHORS, ROWS

Json = dict[str, object]

# The router has no price of its own ("-1"); requests to it are served by this model.
ROUTED_TO = "openai/gpt-4o-mini"
_ROUTER_PRICING = {"prompt": "-1", "completion": "-1"}
_MILLION = Decimal(1_000_000)
_CACHE_READ_AUTHORS = frozenset({"openai", "anthropic", "google", "deepseek", "x-ai"})
_WEB_SEARCH_AUTHORS = frozenset({"openai", "x-ai", "perplexity"})
_MANDATORY_REASONING_AUTHORS = frozenset({"openai", "deepseek", "perplexity", "microsoft"})


@dataclass(frozen=True, slots=True)
class ModelEntry:
    """One listed model and what a completion needs to know about it."""

    id: str
    provider: str
    prompt_price: Decimal
    completion_price: Decimal
    reasoning: bool
    record: Json
    reads_images: bool = False


class Catalog:
    """Every listed model, newest first; built once at start-up and read-only afterwards."""

    def __init__(self) -> None:
        entries = [entry for row in ROWS.strip().splitlines() for entry in _entries(row)]
        entries.sort(key=lambda entry: (-_created(entry), entry.id))
        self.entries: tuple[ModelEntry, ...] = tuple(entries)
        self._by_id = {entry.id: entry for entry in entries}
        self.list_body: bytes = self.page(0, len(entries))

    def find(self, model_id: str) -> ModelEntry | None:
        """The listed model for an id; an unlisted `:variant` resolves to its base model."""
        entry = self._by_id.get(model_id)
        if entry is None and ":" in model_id:
            entry = self._by_id.get(model_id.partition(":")[0])
        return entry

    def serving(self, entry: ModelEntry) -> ModelEntry:
        """The model that actually answers: routers hand the request to a concrete model."""
        return self._by_id[ROUTED_TO] if entry.record["pricing"] == _ROUTER_PRICING else entry

    def page(self, offset: int, limit: int) -> bytes:
        """The `/models` body for one page of the list, with `links.next` when more follow."""
        rows = self.entries[offset : offset + limit]
        more = offset + limit < len(self.entries)
        next_link = f"/api/v1/models?offset={offset + limit}&limit={limit}" if more else None
        return orjson.dumps(
            {
                "data": [entry.record for entry in rows],
                "total_count": len(self.entries),
                "links": {"next": next_link},
            }
        )


def _created(entry: ModelEntry) -> int:
    created = entry.record["created"]
    assert isinstance(created, int)
    return created


def _entries(row: str) -> list[ModelEntry]:
    """The entry for one roster row, plus its `:free` twin when the row asks for one."""
    model_id, name, context, prompt, completion, flags, added = (
        cell.strip() for cell in row.split("|")
    )
    base = _entry(model_id, name, int(context), prompt, completion, flags, added, free=False)
    if "f" not in flags:
        return [base]
    return [base, _entry(model_id, name, int(context), "0", "0", flags, added, free=True)]


def _entry(
    model_id: str,
    name: str,
    context: int,
    prompt: str,
    completion: str,
    flags: str,
    added: str,
    *,
    free: bool,
) -> ModelEntry:
    author, _, slug = model_id.partition("/")
    author_name, provider, tokenizer, hf_org = AUTHORS[author]
    reasoning = "r" in flags
    listed_id = f"{model_id}:free" if free else model_id
    day = dt.datetime.fromisoformat(added).replace(tzinfo=dt.UTC)
    # crc32 rather than hash(): the catalogue must be identical in every process.
    created = int(day.timestamp()) + zlib.crc32(listed_id.encode()) % 86_400
    pricing = _pricing(author, prompt, completion, flags)
    record: Json = {
        "id": listed_id,
        "canonical_slug": f"{model_id.partition(':')[0]}-{added}",
        "hugging_face_id": f"{hf_org}/{slug.partition(':')[0]}" if hf_org else "",
        "name": f"{author_name}: {name}" + (" (free)" if free else ""),
        "created": created,
        "description": _description(author_name, name, context, flags, pricing, free=free),
        "context_length": context,
        "architecture": {
            "modality": "text+image->text" if "v" in flags else "text->text",
            "input_modalities": ["text", "image"] if "v" in flags else ["text"],
            "output_modalities": ["text"],
            "tokenizer": tokenizer,
            "instruct_type": None if author in {"openai", "anthropic", "google"} else "chatml",
        },
        "pricing": pricing,
        "top_provider": {
            "context_length": context,
            "max_completion_tokens": None
            if context <= 8192
            else min(context // 4, 65_536 if reasoning else 16_384),
            "is_moderated": author in {"openai", "anthropic"},
        },
        "per_request_limits": None,
        "supported_parameters": _parameters(flags, open_weights=bool(hf_org)),
        "default_parameters": {},
        "supported_voices": None,
        "knowledge_cutoff": f"{int(added[:4]) - 1}-{added[5:7]}-01" if not hf_org else None,
        "expiration_date": "2026-12-31" if added < "2024" else None,
    }
    if reasoning:
        mandatory = author in _MANDATORY_REASONING_AUTHORS or "think" in model_id
        record["reasoning"] = {
            "supported_efforts": ["high", "medium", "low", "minimal"]
            if author == "openai"
            else ["high", "medium", "low"],
            "default_effort": "medium",
            "default_enabled": mandatory,
            "mandatory": mandatory,
        }
    record["links"] = {"details": f"/api/v1/models/{listed_id}/endpoints"}
    return ModelEntry(
        id=listed_id,
        provider=provider,
        prompt_price=_price(pricing.get("prompt", "0")),
        completion_price=_price(pricing.get("completion", "0")),
        reasoning=reasoning,
        record=record,
        reads_images="v" in flags,
    )


def _price(text: str) -> Decimal:
    # A router's "-1" is a sentinel, never a price: it is never multiplied.
    return Decimal(0) if text == "-1" else Decimal(text)


def _per_token(per_million: Decimal) -> str:
    return format((per_million / _MILLION).normalize(), "f")


def _pricing(author: str, prompt: str, completion: str, flags: str) -> dict[str, str]:
    """Sparse prices as live `/models` rows show them: only non-zero keys appear."""
    if prompt == "-1":
        return dict(_ROUTER_PRICING)
    prompt_m, completion_m = Decimal(prompt), Decimal(completion)
    if prompt_m == 0 and completion_m == 0:
        return {"prompt": "0", "completion": "0"}
    pricing = {"prompt": _per_token(prompt_m), "completion": _per_token(completion_m)}
    if "v" in flags and author in {"openai", "anthropic", "google"}:
        pricing["image"] = _per_token(prompt_m * 1000)
    if author in _WEB_SEARCH_AUTHORS:
        pricing["web_search"] = "0.01"
    if "r" in flags and author == "google":
        pricing["internal_reasoning"] = _per_token(completion_m)
    if author in _CACHE_READ_AUTHORS:
        pricing["input_cache_read"] = _per_token(prompt_m / 10)
    if author == "anthropic":
        pricing["input_cache_write"] = _per_token(prompt_m * Decimal("1.25"))
    return pricing


def _parameters(flags: str, *, open_weights: bool) -> list[str]:
    params = ["max_tokens", "temperature", "top_p", "stop", "frequency_penalty"]
    params += ["presence_penalty", "seed", "response_format"]
    if "t" in flags:
        params += ["tools", "tool_choice"]
    if "r" in flags:
        params += ["reasoning", "include_reasoning"]
    if open_weights:
        params += ["top_k", "min_p", "repetition_penalty", "logit_bias"]
    return params


def _description(
    author: str, name: str, context: int, flags: str, pricing: dict[str, str], *, free: bool
) -> str:
    if pricing == _ROUTER_PRICING:
        return (
            "Your prompt is sent to one of many models, chosen for the request. "
            "The price is decided per request, and the response names the model that answered."
        )
    parts = [
        f"{name} is a {'multimodal' if 'v' in flags else 'text'} model from {author} "
        f"with a context window of {context:,} tokens."
    ]
    if "r" in flags:
        parts.append("It thinks before answering and returns its **reasoning** tokens.")
    if "t" in flags:
        parts.append("It supports tool calling.")
    if free:
        parts.append("This free variant is rate limited, and prompts may be logged.")
    return " ".join(parts)
