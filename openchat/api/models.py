"""GET /models: the model catalogue, cached and served stale when the upstream fails."""

from __future__ import annotations

from fastapi import APIRouter

from openchat.api.deps import CatalogDep, SettingsDep
from openchat.api.schemas import ErrorOut, ModelList, ModelOut

router = APIRouter(tags=["models"])


@router.get("/models", response_model=ModelList, responses={502: {"model": ErrorOut}})
async def list_models(catalog: CatalogDep, settings: SettingsDep) -> ModelList:
    models = [ModelOut.from_domain(model) for model in await catalog.models()]
    return ModelList(data=models, default_model=settings.model_name)
