/** Groups items by how long ago they were updated: Today, Yesterday, Previous 7 days, Previous 30 days, then by month. */

export interface DateGroup<T> {
  label: string;
  items: T[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

function startOfDay(date: Date): number {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

/** The group label of one date, relative to `now`, in the local time zone. */
export function dateGroupLabel(date: Date, now: Date = new Date()): string {
  const days = Math.round((startOfDay(now) - startOfDay(date)) / DAY_MS);
  if (days <= 0) return "Today";
  if (days === 1) return "Yesterday";
  if (days <= 7) return "Previous 7 days";
  if (days <= 30) return "Previous 30 days";
  const sameYear = date.getFullYear() === now.getFullYear();
  return date.toLocaleDateString(
    "en-US",
    sameYear ? { month: "long" } : { month: "long", year: "numeric" },
  );
}

/** Keeps the input order (newest first) and starts a new group whenever the label changes. */
export function groupByDate<T>(
  items: readonly T[],
  dateOf: (item: T) => string,
  now: Date = new Date(),
): DateGroup<T>[] {
  const groups: DateGroup<T>[] = [];
  for (const item of items) {
    const parsed = new Date(dateOf(item));
    const label = Number.isNaN(parsed.getTime()) ? "Older" : dateGroupLabel(parsed, now);
    const last = groups[groups.length - 1];
    if (last && last.label === label) last.items.push(item);
    else groups.push({ label, items: [item] });
  }
  return groups;
}
