/** Prices (USD per token, as strings) shown per million tokens, and context lengths. */
import type { Model, ModelPricing } from "@/api/types";

/** USD per million tokens from a per-token price string; null when unknown or variable ("-1"). */
export function pricePerMillion(price: string | null | undefined): number | null {
  if (price === null || price === undefined || price.trim() === "") return null;
  const perToken = Number(price);
  if (!Number.isFinite(perToken) || perToken < 0) return null;
  return perToken * 1_000_000;
}

/** "$0.15", "$2.50", "$0.075", "$15" — cents where they matter, no float noise. */
export function formatUsd(amount: number): string {
  if (amount === 0) return "$0";
  if (amount >= 100) return `$${Math.round(amount)}`;
  if (amount >= 1) return `$${amount.toFixed(2).replace(/\.00$/, "")}`;
  const [whole, fraction = ""] = amount.toFixed(6).replace(/0+$/, "").split(".");
  return `$${whole}.${fraction.padEnd(2, "0")}`;
}

export function isFree(pricing: ModelPricing | null | undefined): boolean {
  return pricing?.prompt?.trim() === "0" && pricing?.completion?.trim() === "0"
    ? true
    : pricePerMillion(pricing?.prompt) === 0 && pricePerMillion(pricing?.completion) === 0;
}

/** "free", "$0.15 / $0.60 per M tokens", or null when the price is unknown. */
export function formatModelPrice(pricing: ModelPricing | null | undefined): string | null {
  if (!pricing) return null;
  if (isFree(pricing)) return "free";
  const prompt = pricePerMillion(pricing.prompt);
  const completion = pricePerMillion(pricing.completion);
  if (prompt === null || completion === null) return null;
  return `${formatUsd(prompt)} / ${formatUsd(completion)} per M tokens`;
}

/** "128K context", "1M context", "8K context"; null when unknown. */
export function formatContext(length: number | null | undefined): string | null {
  if (!length || length <= 0) return null;
  if (length >= 1_000_000) {
    const millions = length / 1_000_000;
    return `${Number.isInteger(Math.round(millions * 10) / 10) ? Math.round(millions) : (Math.round(millions * 10) / 10).toString()}M context`;
  }
  if (length >= 1000) return `${Math.round(length / 1000)}K context`;
  return `${length} context`;
}

/** The part of an id before the slash: "openai" in "openai/gpt-4o". */
export function authorOf(model: Pick<Model, "id">): string {
  const slash = model.id.indexOf("/");
  return slash > 0 ? model.id.slice(0, slash) : "";
}
