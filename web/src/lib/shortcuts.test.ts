import { describe, expect, it } from "vitest";
import { shortcutOf } from "@/lib/shortcuts";

type Modifier = "ctrl" | "meta" | "shift" | "alt";

function press(key: string, modifiers: Modifier[] = [], code = "") {
  return {
    key,
    code,
    ctrlKey: modifiers.includes("ctrl"),
    metaKey: modifiers.includes("meta"),
    shiftKey: modifiers.includes("shift"),
    altKey: modifiers.includes("alt"),
    isComposing: false,
    keyCode: 0,
    repeat: false,
  };
}

describe("shortcutOf", () => {
  it("knows the three shortcuts, with Ctrl on Windows and Linux", () => {
    expect(shortcutOf(press("O", ["ctrl", "shift"]), false)).toBe("newChat");
    expect(shortcutOf(press("k", ["ctrl"]), false)).toBe("searchChats");
    expect(shortcutOf(press("Escape", ["shift"]), false)).toBe("typeMessage");
    expect(shortcutOf(press("k", ["meta"]), false)).toBeNull(); // the system's key
  });

  it("takes ⌘ on a Mac, where Ctrl+K deletes to the end of the line", () => {
    expect(shortcutOf(press("o", ["meta", "shift"]), true)).toBe("newChat");
    expect(shortcutOf(press("k", ["meta"]), true)).toBe("searchChats");
    expect(shortcutOf(press("Escape", ["shift"]), true)).toBe("typeMessage");
    expect(shortcutOf(press("k", ["ctrl"]), true)).toBeNull();
  });

  it("reads a layout without Latin letters by the key's place", () => {
    expect(shortcutOf(press("л", ["ctrl"], "KeyK"), false)).toBe("searchChats");
    expect(shortcutOf(press("Щ", ["ctrl", "shift"], "KeyO"), false)).toBe("newChat");
  });

  it("leaves every other key alone", () => {
    expect(shortcutOf(press("o", ["ctrl"]), false)).toBeNull(); // the browser's Open file
    expect(shortcutOf(press("k", ["ctrl", "shift"]), false)).toBeNull();
    expect(shortcutOf(press("k", ["ctrl", "alt"]), false)).toBeNull();
    expect(shortcutOf(press("Escape"), false)).toBeNull(); // Esc stops an answer
    expect(shortcutOf(press("Escape", ["ctrl", "shift"]), false)).toBeNull();
    expect(shortcutOf(press("k"), false)).toBeNull();
    expect(shortcutOf({ ...press("k", ["ctrl"]), isComposing: true }, false)).toBeNull();
    expect(shortcutOf({ ...press("k", ["ctrl"]), keyCode: 229 }, false)).toBeNull();
    expect(shortcutOf({ ...press("O", ["ctrl", "shift"]), repeat: true }, false)).toBeNull();
  });
});
