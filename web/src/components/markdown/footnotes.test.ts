import { describe, expect, it } from "vitest";
import { collectFootnotes } from "@/components/markdown/footnotes";
import { splitMarkdownBlocks } from "@/components/markdown/split-blocks";

function collect(text: string) {
  return collectFootnotes(splitMarkdownBlocks(text));
}

describe("collectFootnotes", () => {
  it("takes definitions out and numbers them by first reference", () => {
    const result = collect(
      "Cats[^b] and dogs[^a], cats again[^b].\n\n[^a]: Dogs note.\n[^b]: Cats note.",
    );
    expect(result.blocks).toEqual(["Cats[^b] and dogs[^a], cats again[^b]."]);
    expect(result.notes.map((note) => [note.number, note.label, note.source])).toEqual([
      [1, "b", "Cats note."],
      [2, "a", "Dogs note."],
    ]);
    expect(Object.fromEntries(result.numbers)).toEqual({ b: 1, a: 2 });
    expect(result.notes.every((note) => note.referenced)).toBe(true);
  });

  it("keeps a definition that nothing references, after the referenced ones", () => {
    const result = collect("Text[^2].\n\n[^1]: Never cited.\n[^2]: Cited.");
    expect(result.notes.map((note) => [note.number, note.label, note.referenced])).toEqual([
      [1, "2", true],
      [2, "1", false],
    ]);
  });

  it("takes indented continuation lines with their definition", () => {
    const result = collect("See[^long].\n\n[^long]: First line\n    second line\n\nAfter.");
    expect(result.notes[0].source).toBe("First line\nsecond line");
    expect(result.blocks).toEqual(["See[^long].", "After."]);
  });

  it("splits a definition that follows its paragraph without a blank line", () => {
    const result = collect("A claim[^x].\n[^x]: Its source.");
    expect(result.blocks).toEqual(["A claim[^x]."]);
    expect(result.notes[0].source).toBe("Its source.");
  });

  it("leaves code alone and references without a definition as written", () => {
    const text = "Use `[^x]` and [^y].\n\n```\n[^x]: in a fence\n```\n\n[^x]: Real.";
    const result = collect(text);
    expect(result.blocks).toEqual(["Use `[^x]` and [^y].", "```\n[^x]: in a fence\n```"]);
    expect(result.notes.map((note) => [note.label, note.referenced])).toEqual([["x", false]]);
    expect(result.numbers.has("y")).toBe(false);
  });

  it("never takes a definition or a reference from inside a fence", () => {
    const result = collect("Example[^b]:\n```\n[^a]: not a note [^b]\n```\n\n[^b]: Real.");
    expect(result.blocks).toEqual(["Example[^b]:\n```\n[^a]: not a note [^b]\n```"]);
    expect(result.notes.map((note) => note.label)).toEqual(["b"]);
  });
});
