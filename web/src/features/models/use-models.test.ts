import { describe, expect, it } from "vitest";
import type { Model } from "@/api/types";
import { readsImagesOf } from "@/features/models/use-models";

const model = (id: string, input_modalities: string[]): Model => ({
  id,
  name: id,
  description: "",
  context_length: null,
  pricing: null,
  input_modalities,
});

describe("readsImagesOf", () => {
  const byId = new Map([
    ["openai/gpt-4o-mini", model("openai/gpt-4o-mini", ["text", "image"])],
    ["openai/gpt-4o-mini-search-preview", model("openai/gpt-4o-mini-search-preview", ["text"])],
  ]);

  it("reads the catalogue's input modalities; no id is the default model", () => {
    expect(readsImagesOf("openai/gpt-4o-mini", byId, null)).toBe(true);
    expect(readsImagesOf("openai/gpt-4o-mini-search-preview", byId, null)).toBe(false);
    expect(readsImagesOf(null, byId, "openai/gpt-4o-mini-search-preview")).toBe(false);
  });

  it("does not know a model the catalogue lacks, or before it is loaded", () => {
    expect(readsImagesOf("someone/new-model", byId, null)).toBeNull();
    expect(readsImagesOf("openai/gpt-4o-mini", new Map(), null)).toBeNull();
    expect(readsImagesOf(null, byId, null)).toBeNull();
  });
});
