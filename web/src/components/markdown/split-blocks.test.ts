import { describe, expect, it } from "vitest";
import { normaliseMathDelimiters, splitMarkdownBlocks } from "@/components/markdown/split-blocks";

describe("splitMarkdownBlocks", () => {
  it("splits on blank lines", () => {
    expect(splitMarkdownBlocks("# Title\n\nOne\ntwo\n\n\nThree")).toEqual([
      "# Title",
      "One\ntwo",
      "Three",
    ]);
  });

  it("keeps code fences and math blocks whole, even with blank lines inside", () => {
    const text = "Intro\n\n```py\na = 1\n\nb = 2\n```\n\n$$\nx\n\ny\n$$\n\nEnd";
    expect(splitMarkdownBlocks(text)).toEqual([
      "Intro",
      "```py\na = 1\n\nb = 2\n```",
      "$$\nx\n\ny\n$$",
      "End",
    ]);
  });

  it("keeps an unfinished fence open while it streams", () => {
    expect(splitMarkdownBlocks("Text\n\n```js\nlet a;\n\nlet b;")).toEqual([
      "Text",
      "```js\nlet a;\n\nlet b;",
    ]);
  });

  it("keeps loose lists and indented continuations together", () => {
    const text = "- one\n\n- two\n\n  more of two\n\nAfter";
    expect(splitMarkdownBlocks(text)).toEqual(["- one\n\n- two\n\n  more of two", "After"]);
  });

  it("reproduces the text when joined", () => {
    const text = "a\n\nb\n\n```\nc\n\nd\n```\n\ne";
    expect(splitMarkdownBlocks(text).join("\n\n")).toBe(text);
  });
});

describe("normaliseMathDelimiters", () => {
  it("rewrites \\( \\) and \\[ \\] outside inline code", () => {
    expect(normaliseMathDelimiters("a \\(x\\) b `\\(y\\)`")).toBe("a $x$ b `\\(y\\)`");
    expect(normaliseMathDelimiters("\\[\nx^2\n\\]")).toBe("$$\nx^2\n$$");
  });

  it("leaves fenced code alone", () => {
    expect(normaliseMathDelimiters("```\n\\(x\\)\n```")).toBe("```\n\\(x\\)\n```");
  });
});
