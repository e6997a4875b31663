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

  it("never takes a definition from a longer or a tilde fence around a shorter one", () => {
    for (const text of [
      "````md\n```\n[^1]: inside code\n````\n\nRef[^1]",
      "~~~\n```\n[^1]: inside code\n~~~\n\nRef[^1]",
    ]) {
      const result = collect(text);
      expect(result.notes).toEqual([]);
      expect(result.blocks.join("\n\n")).toBe(text);
    }
  });

  it("runs a note on lazily, and past a blank line only over lines indented by four", () => {
    const result = collect(
      "A[^1].\n\n[^1]: First line\nsecond line\n\n    more of it\n\n Body paragraph.",
    );
    expect(result.notes[0].source).toBe("First line\nsecond line\n\nmore of it");
    expect(result.blocks).toEqual(["A[^1].", " Body paragraph."]);
  });

  it("numbers without gaps when a label is defined twice, and keeps both texts", () => {
    const result = collect("A[^a] B[^b]\n\n[^a]: one\n[^a]: two\n[^b]: three");
    expect(result.notes.map((note) => [note.number, note.source, note.referenced])).toEqual([
      [1, "one", true],
      [2, "three", true],
      [3, "two", false],
    ]);
    expect(Object.fromEntries(result.numbers)).toEqual({ a: 1, b: 2 });
  });

  it("matches labels whatever their case, and reads CRLF text", () => {
    expect(collect("Ref[^Note].\n\n[^note]: lower").numbers.get("note")).toBe(1);
    const crlf = collect("A[^1].\r\n\r\n[^1]: note\r\n");
    expect(crlf.notes.map((note) => note.source)).toEqual(["note"]);
  });

  it("counts no reference written in math", () => {
    const result = collect("Energy $E[^b]$ here[^a] and[^b].\n\n[^b]: bee\n[^a]: ay");
    expect(Object.fromEntries(result.numbers)).toEqual({ a: 1, b: 2 });
  });
});
