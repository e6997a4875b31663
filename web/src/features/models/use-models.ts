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

export function useModels() {
  const query = useQuery({ ...modelsQuery, select: (list) => list.data });
  const byId = useMemo(() => {
    const map = new Map<string, Model>();
    for (const model of query.data ?? []) map.set(model.id, model);
    return map;
  }, [query.data]);
  return { ...query, models: query.data ?? [], byId };
}

/** A readable name for a model id: the catalogue's name, else the id without its author. */
export function useModelName(): (id: string | null | undefined) => string {
  const { byId } = useModels();
  return useMemo(
    () => (id) => {
      if (!id) return "Default model";
      return byId.get(id)?.name ?? id;
    },
    [byId],
  );
}
