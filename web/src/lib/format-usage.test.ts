import { describe, expect, it } from "vitest";
import { formatCost, formatUsage } from "@/lib/format-usage";

describe("formatUsage", () => {
  it("shows tokens in and out and the cost", () => {
    expect(
      formatUsage({ prompt_tokens: 1234, completion_tokens: 56, total_tokens: 1290, cost: 0.0031 }),
    ).toBe("1,234 in · 56 out · $0.0031");
  });

  it("falls back to the total and skips what is missing", () => {
    expect(
      formatUsage({ prompt_tokens: null, completion_tokens: null, total_tokens: 9, cost: null }),
    ).toBe("9 tokens");
    expect(formatUsage(null)).toBeNull();
    expect(
      formatUsage({ prompt_tokens: null, completion_tokens: null, total_tokens: null, cost: null }),
    ).toBeNull();
  });

  it("keeps two significant digits of tiny costs", () => {
    expect(formatCost(0)).toBe("$0");
    expect(formatCost(0.00042)).toBe("$0.00042");
    expect(formatCost(0.005)).toBe("$0.005");
    expect(formatCost(0.0123)).toBe("$0.012");
    expect(formatCost(1.5)).toBe("$1.50");
  });
});
