/// <reference types="vitest/config" />
import { fileURLToPath, URL } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const api = "http://127.0.0.1:8001";

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    // The API sees the page's own Host, so a browser that names the asking site only in
    // Origin (see openchat/cross_site.py) is taken for the app's own page.
    proxy: Object.fromEntries(
      ["/health", "/models", "/conversations", "/attachments"].map((path) => [
        path,
        { target: api, changeOrigin: false },
      ]),
    ),
  },
  preview: { host: "127.0.0.1", port: 4173 },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 800,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
  },
});
