/**
 * The markdown renderer as a separate chunk, so the first page load stays small.
 * `preloadMarkdown()` starts fetching it at start-up, in parallel with the API calls.
 * Once it has arrived it renders directly; before that, the nearest Suspense boundary
 * shows its fallback (React.lazy would suspend even when the chunk is already there).
 */
import { type ComponentProps, lazy, useEffect, useState } from "react";

type MarkdownModule = typeof import("@/components/markdown/markdown");

let loaded: MarkdownModule | null = null;
let loading: Promise<MarkdownModule> | null = null;

export function preloadMarkdown(): Promise<MarkdownModule> {
  loading ??= import("@/components/markdown/markdown").then(
    (module) => {
      loaded = module;
      return module;
    },
    (error: unknown) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

/**
 * Whether the renderer has arrived. Waiting on this (rather than on a Suspense boundary)
 * shows the content the moment it can render; React delays revealing suspended content.
 */
export function useMarkdownReady(): boolean {
  const [ready, setReady] = useState(loaded !== null);
  useEffect(() => {
    if (ready) return;
    let live = true;
    preloadMarkdown().then(
      () => live && setReady(true),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [ready]);
  return ready;
}

const LazyMarkdown = lazy(() => preloadMarkdown().then((module) => ({ default: module.Markdown })));

export function Markdown(props: ComponentProps<MarkdownModule["Markdown"]>) {
  const Loaded = loaded?.Markdown;
  return Loaded ? <Loaded {...props} /> : <LazyMarkdown {...props} />;
}
