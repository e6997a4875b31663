import { describe, expect, it } from "vitest";
import type { Model } from "@/api/types";
import { searchModels } from "@/features/models/model-search";

function model(id: string, name: string, prompt = "0.000001", completion = "0.000002"): Model {
  return {
    id,
    name,
    description: "",
    context_length: 128000,
    pricing: { prompt, completion },
    input_modalities: ["text"],
  };
}

const catalogue = [
  model("openai/gpt-4o", "OpenAI: GPT-4o"),
  model("openai/gpt-4o-mini", "OpenAI: GPT-4o-mini"),
  model("anthropic/claude-3.5-sonnet", "Anthropic: Claude 3.5 Sonnet"),
  model("meta-llama/llama-3.1-8b-instruct:free", "Meta: Llama 3.1 8B Instruct (free)", "0", "0"),
  model("mistralai/mistral-7b-instruct", "Mistral: Mistral 7B Instruct"),
  model("google/gemini-flash-1.5", "Google: Gemini Flash 1.5"),
  model("gryphe/mythomax-l2-13b", "MythoMax 13B"),
];

const ids = (models: Model[]) => models.map((m) => m.id);

describe("searchModels", () => {
  it("puts an exact id first", () => {
    expect(ids(searchModels(catalogue, "openai/gpt-4o"))[0]).toBe("openai/gpt-4o");
    expect(ids(searchModels(catalogue, "gpt-4o-mini"))[0]).toBe("openai/gpt-4o-mini");
  });

  it("finds models by author", () => {
    expect(ids(searchModels(catalogue, "anthropic"))).toEqual(["anthropic/claude-3.5-sonnet"]);
    expect(ids(searchModels(catalogue, "openai"))).toEqual(["openai/gpt-4o", "openai/gpt-4o-mini"]);
  });

  it("matches every word, in any order, ignoring case", () => {
    expect(ids(searchModels(catalogue, "SONNET claude"))).toEqual(["anthropic/claude-3.5-sonnet"]);
    expect(ids(searchModels(catalogue, "instruct 7b"))).toEqual(["mistralai/mistral-7b-instruct"]);
    expect(searchModels(catalogue, "nothing-like-this")).toEqual([]);
  });

  it("ranks name and id prefixes above substrings", () => {
    expect(ids(searchModels(catalogue, "mini"))).toEqual([
      "openai/gpt-4o-mini",
      "google/gemini-flash-1.5",
    ]);
    expect(ids(searchModels(catalogue, "my"))[0]).toBe("gryphe/mythomax-l2-13b");
  });

  it("filters to free models", () => {
    expect(ids(searchModels(catalogue, "", { freeOnly: true }))).toEqual([
      "meta-llama/llama-3.1-8b-instruct:free",
    ]);
    expect(searchModels(catalogue, "gpt", { freeOnly: true })).toEqual([]);
  });

  it("lists everything by name when the query is empty", () => {
    expect(searchModels(catalogue, "  ")).toHaveLength(catalogue.length);
  });
});
