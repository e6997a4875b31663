/** The model catalogue from GET /models, cached for the session. */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { listModels } from "@/api/endpoints";
import { queryKeys } from "@/api/query-keys";
import type { Model } from "@/api/types";

export const modelsQuery = queryOptions({
  queryKey: queryKeys.models,
  queryFn: listModels,
  staleTime: 60 * 60 * 1000,
});

const NO_MODELS: Model[] = [];

/** The catalogue, its index by id, and the server's default model (null until known). */
export function useModels() {
  const query = useQuery(modelsQuery);
  const models = query.data?.data ?? NO_MODELS;
  const byId = useMemo(() => {
    const map = new Map<string, Model>();
    for (const model of models) map.set(model.id, model);
    return map;
  }, [models]);
  return { ...query, models, byId, defaultModel: query.data?.default_model ?? null };
}

/** A readable name for a model id (none: the server's default model): the catalogue's name, else the id. */
export function modelNameOf(
  id: string | null | undefined,
  byId: ReadonlyMap<string, Model>,
  defaultModel: string | null,
): string {
  const model = id || defaultModel;
  if (!model) return "Default model";
  return byId.get(model)?.name ?? model;
}

export function useModelName(): (id: string | null | undefined) => string {
  const { byId, defaultModel } = useModels();
  return useMemo(() => (id) => modelNameOf(id, byId, defaultModel), [byId, defaultModel]);
}

/**
 * Whether a model reads images (none: the server's default model); null when the catalogue
 * does not know it, or is not loaded yet.
 */
export function readsImagesOf(
  id: string | null | undefined,
  byId: ReadonlyMap<string, Model>,
  defaultModel: string | null,
): boolean | null {
  const model = byId.get(id || defaultModel || "");
  return model ? model.input_modalities.includes("image") : null;
}

export function useReadsImages(): (id: string | null | undefined) => boolean | null {
  const { byId, defaultModel } = useModels();
  return useMemo(() => (id) => readsImagesOf(id, byId, defaultModel), [byId, defaultModel]);
}
