import { describe, expect, it } from "vitest";
import { isComposing } from "@/lib/composing";

describe("isComposing", () => {
  it("is true during a composition and for Safari's confirming key (229)", () => {
    expect(isComposing({ isComposing: true, keyCode: 13 })).toBe(true);
    expect(isComposing({ isComposing: false, keyCode: 229 })).toBe(true);
    expect(isComposing({ isComposing: false, keyCode: 13 })).toBe(false);
  });
});
