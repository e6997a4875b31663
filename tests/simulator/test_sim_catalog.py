"""The simulated model list: envelope, model object shape, pricing rules, single-model lookup."""

import re
from decimal import Decimal

import httpx

from openchat.simulator.catalog import Catalog

MODEL_KEYS = [
    "id",
    "canonical_slug",
    "hugging_face_id",
    "name",
    "created",
    "description",
    "context_length",
    "architecture",
    "pricing",
    "top_provider",
    "per_request_limits",
    "supported_parameters",
    "default_parameters",
    "supported_voices",
    "knowledge_cutoff",
    "expiration_date",
]


def test_models_envelope_needs_no_auth(simulator):
    response = httpx.get(f"{simulator.base_url}/models")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"data", "total_count", "links"}
    assert body["links"] == {"next": None}
    assert body["total_count"] == len(body["data"])
    assert 250 <= len(body["data"]) <= 400
    ids = [model["id"] for model in body["data"]]
    assert len(set(ids)) == len(ids)


def test_model_objects_have_the_full_shape(simulator):
    models = httpx.get(f"{simulator.base_url}/models").json()["data"]
    authors = {model["id"].split("/")[0] for model in models}
    assert {"openai", "anthropic", "google", "meta-llama", "mistralai", "deepseek"} <= authors
    assert {"qwen", "x-ai", "cohere"} <= authors
    for model in models:
        assert list(model)[: len(MODEL_KEYS)] == MODEL_KEYS
        assert list(model)[-1] == "links"
        assert model["links"] == {"details": f"/api/v1/models/{model['id']}/endpoints"}
        assert re.fullmatch(r"[a-z0-9.-]+/[a-z0-9._-]+(:[a-z]+)?", model["id"])
        assert model["name"].count(": ") >= 1
        assert isinstance(model["created"], int) and model["created"] > 1_600_000_000
        assert model["context_length"] == model["top_provider"]["context_length"] > 0
        architecture = model["architecture"]
        assert architecture["output_modalities"] == ["text"]
        assert "text" in architecture["input_modalities"]
        assert architecture["modality"].endswith("->text")
        assert model["per_request_limits"] is None
        assert "max_tokens" in model["supported_parameters"]
    newest_first = [model["created"] for model in models]
    assert newest_first == sorted(newest_first, reverse=True)


def test_pricing_is_sparse_decimal_strings(simulator):
    models = {m["id"]: m for m in httpx.get(f"{simulator.base_url}/models").json()["data"]}
    for model in models.values():
        pricing = model["pricing"]
        assert {"prompt", "completion"} <= set(pricing)
        for value in pricing.values():
            assert isinstance(value, str)
            assert re.fullmatch(r"-1|\d+(\.\d+)?", value), value
    mini = models["openai/gpt-4o-mini"]
    assert Decimal(mini["pricing"]["prompt"]) == Decimal("0.00000015")
    assert Decimal(mini["pricing"]["completion"]) == Decimal("0.0000006")
    assert "reasoning" not in mini
    free = [model for model in models.values() if model["id"].endswith(":free")]
    assert len(free) >= 20
    assert all(m["pricing"] == {"prompt": "0", "completion": "0"} for m in free)
    assert models["openrouter/auto"]["pricing"] == {"prompt": "-1", "completion": "-1"}
    assert "reasoning" not in models["openrouter/auto"]
    paid = [m for m in models.values() if m["pricing"]["prompt"] not in ("0", "-1")]
    # Sparse, as live rows are: a paid model lists no zero-priced keys.
    assert paid and all("0" not in m["pricing"].values() for m in paid)


def test_reasoning_models_carry_a_reasoning_object(simulator):
    models = httpx.get(f"{simulator.base_url}/models").json()["data"]
    thinking = [model for model in models if "reasoning" in model]
    assert len(thinking) >= 20
    r1 = next(model for model in thinking if model["id"] == "deepseek/deepseek-r1")
    assert set(r1["reasoning"]) == {
        "supported_efforts",
        "default_effort",
        "default_enabled",
        "mandatory",
    }
    assert "reasoning" in r1["supported_parameters"]


def test_the_catalogue_is_deterministic(simulator):
    served = httpx.get(f"{simulator.base_url}/models").content
    assert served == Catalog().list_body == Catalog().list_body


def test_pagination_is_opt_in(simulator):
    everything = httpx.get(f"{simulator.base_url}/models").json()
    page = httpx.get(f"{simulator.base_url}/models", params={"offset": 10, "limit": 5}).json()
    assert page["data"] == everything["data"][10:15]
    assert page["total_count"] == everything["total_count"]
    assert page["links"]["next"] == "/api/v1/models?offset=15&limit=5"
    count = httpx.get(f"{simulator.base_url}/models/count").json()
    assert count == {"data": {"count": everything["total_count"]}}


def test_single_model_lookup_resolves_variants(simulator):
    one = httpx.get(f"{simulator.base_url}/model/openai/gpt-4o-mini")
    assert one.status_code == 200
    assert one.json()["data"]["id"] == "openai/gpt-4o-mini"
    free = httpx.get(f"{simulator.base_url}/model/meta-llama/llama-3.3-70b-instruct:free").json()
    assert free["data"]["pricing"] == {"prompt": "0", "completion": "0"}
    variant = httpx.get(f"{simulator.base_url}/model/openai/gpt-4o-mini:nitro").json()
    assert variant["data"]["id"] == "openai/gpt-4o-mini"
    missing = httpx.get(f"{simulator.base_url}/model/acme/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == 404
