/** Warns when the server has no OpenRouter key (or cannot be reached), from GET /health. */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { getHealth } from "@/api/endpoints";
import { queryKeys } from "@/api/query-keys";
import { AlertIcon } from "@/components/icons";

export const healthQuery = queryOptions({
  queryKey: queryKeys.health,
  queryFn: getHealth,
  staleTime: 30_000,
  retry: false,
});

export function useHealth() {
  return useQuery({
    ...healthQuery,
    refetchInterval: (query) => (query.state.status === "error" ? 5_000 : 60_000),
  });
}

export function ApiKeyBanner() {
  const health = useHealth();
  if (health.data && !health.data.upstream_configured) {
    return (
      <div className="banner banner--warning" role="alert">
        <AlertIcon size={18} />
        <p>
          No OpenRouter API key is set, so models can't answer. Add{" "}
          <code>OPENROUTER_API_KEY=…</code> to the <code>.env</code> file and restart the server.
        </p>
      </div>
    );
  }
  if (health.isError && !health.data) {
    return (
      <div className="banner banner--error" role="alert">
        <AlertIcon size={18} />
        <p>Can't reach the Open Chat server. Retrying…</p>
      </div>
    );
  }
  return null;
}
