/** Mounts the app with its providers: TanStack Query, the router, and the theme. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App, prefetchStartData } from "@/app";
import { preloadMarkdown } from "@/components/markdown/lazy-markdown";
import { initTheme } from "@/lib/theme";
import "@/styles/base.css";
import "@/styles/layout.css";
import "@/styles/chat.css";
import "@/styles/markdown.css";

initTheme();
// Fetch the markdown renderer now, alongside the first API calls.
void preloadMarkdown();

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { refetchOnWindowFocus: false, retry: 1 },
  },
});

prefetchStartData(queryClient, window.location.pathname);

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
