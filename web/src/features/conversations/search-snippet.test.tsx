import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { SearchSnippet, searchWords } from "@/features/conversations/search-snippet";

function marked(text: string, query: string): { html: string; marks: string[] } {
  const { container } = render(<SearchSnippet text={text} query={query} />);
  const node = container.firstElementChild as HTMLElement;
  return {
    html: node.textContent ?? "",
    marks: [...node.querySelectorAll("mark")].map((mark) => mark.textContent ?? ""),
  };
}

describe("SearchSnippet", () => {
  it("marks each word of the search at the start of a word, in any case", () => {
    const { html, marks } = marked("The Moon's pull; moonlight and honeymoon.", "MOON pull");
    expect(html).toBe("The Moon's pull; moonlight and honeymoon."); // the text, whole
    expect(marks).toEqual(["Moon", "pull", "moon"]); // not inside "honeymoon"
  });

  it("marks one or two ASCII letters only where they are a whole word", () => {
    expect(marked("an apple, a pear", "a ap").marks).toEqual(["a"]);
    expect(marked("an apple, a pear", "app").marks).toEqual(["app"]);
  });

  it("keeps a word's marks in it (Devanagari vowel signs)", () => {
    expect(searchWords("हिन्दी भाषा")).toEqual(["हिन्दी", "भाषा"]);
    expect(marked("मैं हिन्दी सीख रहा हूँ", "हिन्दी").marks).toEqual(["हिन्दी"]);
  });

  it("marks the longest word that fits, in any alphabet", () => {
    expect(marked("tides and a tide", "tide tides").marks).toEqual(["tides", "tide"]);
    expect(marked("Привет, мир! 東京タワー", "привет 東京").marks).toEqual(["Привет", "東京"]);
  });

  it("takes the search's symbols as nothing to mark, never as a pattern", () => {
    expect(marked("a (b) [c] *d*", "( [ * .* \\").marks).toEqual([]);
    expect(marked("price: 100% of C++", "100% c++").marks).toEqual(["100", "C"]);
  });

  it("reads a search's words as the server does: letters and digits, at most eight", () => {
    expect(searchWords("Tides, TIDES and the-Moon's pull_2!")).toEqual([
      "tides",
      "and",
      "the",
      "moon",
      "s",
      "pull",
      "2",
    ]);
    expect(searchWords("a b c d e f g h i j")).toHaveLength(8);
  });
});
