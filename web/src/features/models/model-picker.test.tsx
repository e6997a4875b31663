import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { queryKeys } from "@/api/query-keys";
import type { Model, ModelList } from "@/api/types";
import { ModelPicker, revealOption } from "@/features/models/model-picker";
import { modelNameOf } from "@/features/models/use-models";

function model(id: string, name: string): Model {
  return {
    id,
    name,
    description: "",
    context_length: 128000,
    pricing: { prompt: "0.000001", completion: "0.000002" },
    input_modalities: ["text"],
  };
}

const catalogue: ModelList = {
  data: [
    model("openai/gpt-4o", "OpenAI: GPT-4o"),
    model("openai/gpt-4o-mini", "OpenAI: GPT-4o-mini"),
  ],
  default_model: "openai/gpt-4o-mini",
};

describe("the default model", () => {
  it("is named after the catalogue when no model is picked", () => {
    const byId = new Map(catalogue.data.map((m) => [m.id, m]));
    expect(modelNameOf(null, byId, "openai/gpt-4o-mini")).toBe("OpenAI: GPT-4o-mini");
    expect(modelNameOf("openai/gpt-4o", byId, "openai/gpt-4o-mini")).toBe("OpenAI: GPT-4o");
    expect(modelNameOf(null, byId, "acme/unknown")).toBe("acme/unknown");
    expect(modelNameOf(null, byId, null)).toBe("Default model");
  });

  it("shows in the picker's trigger instead of “Default model”", () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.models, catalogue);
    render(
      <QueryClientProvider client={client}>
        <ModelPicker value={null} onChange={() => undefined} />
      </QueryClientProvider>,
    );
    const trigger = screen.getByRole("button", { name: "Model" });
    expect(trigger.textContent).toBe("OpenAI: GPT-4o-mini");
    expect(trigger.getAttribute("title")).toBe("openai/gpt-4o-mini");
  });
});

describe("the picker's options", () => {
  it("say which models read images", () => {
    const client = new QueryClient();
    const seeing = {
      ...model("openai/gpt-4o", "OpenAI: GPT-4o"),
      input_modalities: ["text", "image"],
    };
    client.setQueryData(queryKeys.models, { ...catalogue, data: [seeing, catalogue.data[1]] });
    render(
      <QueryClientProvider client={client}>
        <ModelPicker value={null} onChange={() => undefined} />
      </QueryClientProvider>,
    );
    fireEvent.click(screen.getByRole("button", { name: "Model" }));
    const option = (id: string) =>
      screen
        .getAllByRole("option")
        .find((row) => row.querySelector(".model-option__id")?.textContent === id);
    expect(option("openai/gpt-4o")?.textContent).toContain("images");
    expect(option("openai/gpt-4o-mini")?.textContent).not.toContain("images");
  });
});

/** A list 200 px tall with 20 rows of 50 px (6 px of padding), scrolled to `scrollTop`. */
function fakeList(scrollTop = 0) {
  const list = document.createElement("div");
  list.style.paddingTop = "6px";
  const rows: HTMLElement[] = [];
  for (let i = 0; i < 20; i++) {
    const row = document.createElement("div");
    row.setAttribute("role", "option");
    row.getBoundingClientRect = () => {
      const top = 6 + i * 50 - list.scrollTop;
      return { top, bottom: top + 50, height: 50 } as DOMRect;
    };
    list.append(row);
    rows.push(row);
  }
  Object.defineProperty(list, "clientHeight", { value: 200 });
  Object.defineProperty(list, "scrollHeight", { value: 1012 });
  list.getBoundingClientRect = () => ({ top: 0, bottom: 200, height: 200 }) as DOMRect;
  list.scrollTop = scrollTop;
  document.body.append(list);
  return { list, rows };
}

describe("revealOption", () => {
  it("centres the selected option, starting the view on a whole row", () => {
    const { list, rows } = fakeList();
    revealOption(list, rows[10], "center");
    // Row 10 spans 506–556; centred, the view would start at 431, in row 8 (406–456).
    expect(list.scrollTop).toBe(406);
    const top = rows[10].getBoundingClientRect().top;
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top + 50).toBeLessThanOrEqual(200);
    list.remove();
  });

  it("scrolls no more than needed to reach an option below or above", () => {
    const { list, rows } = fakeList();
    revealOption(list, rows[2], "nearest");
    expect(list.scrollTop).toBe(0);
    revealOption(list, rows[5], "nearest");
    expect(list.scrollTop).toBe(306 - 200);
    revealOption(list, rows[1], "nearest");
    expect(list.scrollTop).toBe(56);
    revealOption(list, rows[0], "nearest");
    expect(list.scrollTop).toBe(0);
    revealOption(list, rows[19], "nearest");
    expect(list.scrollTop).toBe(1012 - 200);
    list.remove();
  });

  it("keeps the first row at the top", () => {
    const { list, rows } = fakeList(300);
    revealOption(list, rows[0], "center");
    expect(list.scrollTop).toBe(0);
    list.remove();
  });
});
