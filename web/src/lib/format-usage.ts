/** Formats token counts and costs for the usage line under an answer. */
import type { Usage } from "@/api/types";

const integer = new Intl.NumberFormat("en-US");

export function formatCost(cost: number): string {
  if (cost === 0) return "$0";
  if (cost >= 1) return `$${cost.toFixed(2)}`;
  // Below a dollar, two significant digits: $0.012, $0.0031, $0.00042.
  const decimals = Math.min(8, 1 - Math.floor(Math.log10(cost)));
  return `$${cost.toFixed(decimals).replace(/0+$/, "").replace(/\.$/, "")}`;
}

/** "1,234 in · 567 out · $0.0031", or null when nothing was reported. */
export function formatUsage(usage: Usage | null | undefined): string | null {
  if (!usage) return null;
  const parts: string[] = [];
  if (usage.prompt_tokens != null) parts.push(`${integer.format(usage.prompt_tokens)} in`);
  if (usage.completion_tokens != null) parts.push(`${integer.format(usage.completion_tokens)} out`);
  if (parts.length === 0 && usage.total_tokens != null)
    parts.push(`${integer.format(usage.total_tokens)} tokens`);
  if (usage.cost != null) parts.push(formatCost(usage.cost));
  return parts.length > 0 ? parts.join(" · ") : null;
}
