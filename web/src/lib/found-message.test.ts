import { describe, expect, it } from "vitest";
import { foundMessageHash, foundMessageId } from "@/lib/found-message";

describe("found-message", () => {
  it("names a message in the address and reads it back", () => {
    expect(foundMessageHash("3f2a-9")).toBe("#message-3f2a-9");
    expect(foundMessageId(foundMessageHash("a b/#?"))).toBe("a b/#?");
  });

  it("reads nothing from another hash or a broken one", () => {
    for (const hash of ["", "#", "#message-", "#footnote-1", "#message-%E0%A4%A"])
      expect(foundMessageId(hash)).toBeNull();
  });
});
