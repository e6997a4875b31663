import { describe, expect, it } from "vitest";
import { shortcutOf } from "@/lib/shortcuts";

const press = (
  key: string,
  modifiers: Partial<Record<"ctrl" | "meta" | "shift" | "alt", boolean>> = {},
) => ({
  key,
  ctrlKey: modifiers.ctrl ?? false,
  metaKey: modifiers.meta ?? false,
  shiftKey: modifiers.shift ?? false,
  altKey: modifiers.alt ?? false,
  isComposing: false,
});

describe("shortcutOf", () => {
  it("knows the three shortcuts, with Ctrl or ⌘", () => {
    expect(shortcutOf(press("O", { ctrl: true, shift: true }))).toBe("newChat");
    expect(shortcutOf(press("o", { meta: true, shift: true }))).toBe("newChat");
    expect(shortcutOf(press("k", { ctrl: true }))).toBe("searchChats");
    expect(shortcutOf(press("k", { meta: true }))).toBe("searchChats");
    expect(shortcutOf(press("Escape", { shift: true }))).toBe("typeMessage");
  });

  it("leaves every other key alone", () => {
    expect(shortcutOf(press("o", { ctrl: true }))).toBeNull(); // the browser's Open file
    expect(shortcutOf(press("k", { ctrl: true, shift: true }))).toBeNull();
    expect(shortcutOf(press("k", { ctrl: true, alt: true }))).toBeNull();
    expect(shortcutOf(press("Escape"))).toBeNull(); // Esc stops an answer
    expect(shortcutOf(press("k"))).toBeNull();
    expect(shortcutOf({ ...press("k", { ctrl: true }), isComposing: true })).toBeNull();
  });
});
