"""The model list: upstream shape normalised, cached, and served stale when upstream fails."""

from __future__ import annotations

import httpx

from openchat.simulator.runner import run_simulator
from tests.servers import AppServer


def test_models_are_listed_with_pricing_and_context(api: httpx.Client):
    response = api.get("/models")
    assert response.status_code == 200
    assert response.json()["default_model"] == "openai/gpt-4o-mini"
    models = response.json()["data"]
    assert len(models) >= 100
    by_id = {model["id"]: model for model in models}
    default = by_id["openai/gpt-4o-mini"]
    assert set(default) == {
        "id",
        "name",
        "description",
        "context_length",
        "pricing",
        "input_modalities",
    }
    assert default["context_length"] > 0
    assert float(default["pricing"]["prompt"]) > 0
    assert any(m["pricing"] and m["pricing"]["prompt"] == "0" for m in models)


def test_cached_copy_is_served_when_upstream_goes_away(start_server):
    with run_simulator() as own_simulator:
        server: AppServer = start_server(openrouter_base_url=own_simulator, models_cache_ttl="0")
        with httpx.Client(base_url=server.url, timeout=30) as api:
            first = api.get("/models").json()
    # The simulator is gone now and the TTL is zero: every call tries upstream and fails.
    with httpx.Client(base_url=server.url, timeout=30) as api:
        again = api.get("/models")
        assert again.status_code == 200
        assert again.json() == first
