import { describe, expect, it } from "vitest";
import {
  formatContext,
  formatModelPrice,
  formatUsd,
  isFree,
  pricePerMillion,
} from "@/features/models/model-format";

describe("price formatting", () => {
  it("converts per-token strings to per-million amounts", () => {
    expect(pricePerMillion("0.00000015")).toBeCloseTo(0.15);
    expect(pricePerMillion("0.000015")).toBeCloseTo(15);
    expect(pricePerMillion("-1")).toBeNull();
    expect(pricePerMillion(null)).toBeNull();
    expect(pricePerMillion("abc")).toBeNull();
  });

  it("formats amounts without float noise", () => {
    expect(formatUsd(0.15)).toBe("$0.15");
    expect(formatUsd(0.6000000000000001)).toBe("$0.60");
    expect(formatUsd(0.00001)).toBe("$0.00001");
    expect(formatUsd(2.5)).toBe("$2.50");
    expect(formatUsd(15)).toBe("$15");
    expect(formatUsd(0.075)).toBe("$0.075");
    expect(formatUsd(0.0375)).toBe("$0.0375");
    expect(formatUsd(150)).toBe("$150");
  });

  it("shows free, a prompt/completion pair, or nothing", () => {
    expect(formatModelPrice({ prompt: "0", completion: "0" })).toBe("free");
    expect(isFree({ prompt: "0", completion: "0" })).toBe(true);
    expect(isFree({ prompt: "0", completion: "0.000001" })).toBe(false);
    expect(formatModelPrice({ prompt: "0.00000015", completion: "0.0000006" })).toBe(
      "$0.15 / $0.60 per M tokens",
    );
    expect(formatModelPrice({ prompt: "0.000003", completion: "0.000015" })).toBe(
      "$3 / $15 per M tokens",
    );
    expect(formatModelPrice(null)).toBeNull();
    expect(formatModelPrice({ prompt: "-1", completion: "-1" })).toBeNull();
  });

  it("abbreviates context lengths", () => {
    expect(formatContext(128000)).toBe("128K context");
    expect(formatContext(131072)).toBe("131K context");
    expect(formatContext(1_000_000)).toBe("1M context");
    expect(formatContext(1_048_576)).toBe("1M context");
    expect(formatContext(2_500_000)).toBe("2.5M context");
    expect(formatContext(null)).toBeNull();
  });
});
