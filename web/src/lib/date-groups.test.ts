import { describe, expect, it } from "vitest";
import { dateGroupLabel, groupByDate } from "@/lib/date-groups";

const now = new Date(2025, 5, 15, 10, 0, 0); // 15 June 2025, 10:00 local time

function daysAgo(days: number, hour = 12): Date {
  return new Date(2025, 5, 15 - days, hour, 0, 0);
}

describe("dateGroupLabel", () => {
  it("labels recent days", () => {
    expect(dateGroupLabel(new Date(2025, 5, 15, 0, 1), now)).toBe("Today");
    expect(dateGroupLabel(new Date(2025, 5, 15, 23, 0), now)).toBe("Today");
    expect(dateGroupLabel(new Date(2025, 5, 14, 23, 59), now)).toBe("Yesterday");
    expect(dateGroupLabel(daysAgo(2), now)).toBe("Previous 7 days");
    expect(dateGroupLabel(daysAgo(7), now)).toBe("Previous 7 days");
    expect(dateGroupLabel(daysAgo(8), now)).toBe("Previous 30 days");
    expect(dateGroupLabel(daysAgo(30), now)).toBe("Previous 30 days");
  });

  it("labels older dates by month, with the year when it differs", () => {
    expect(dateGroupLabel(new Date(2025, 2, 3), now)).toBe("March");
    expect(dateGroupLabel(new Date(2024, 11, 24), now)).toBe("December 2024");
  });

  it("treats future timestamps (clock skew) as today", () => {
    expect(dateGroupLabel(new Date(2025, 5, 16, 1), now)).toBe("Today");
  });
});

describe("groupByDate", () => {
  it("keeps the order and groups consecutive items", () => {
    const items = [
      { id: "a", at: daysAgo(0).toISOString() },
      { id: "b", at: daysAgo(0, 8).toISOString() },
      { id: "c", at: daysAgo(1).toISOString() },
      { id: "d", at: daysAgo(3).toISOString() },
      { id: "e", at: daysAgo(20).toISOString() },
      { id: "f", at: new Date(2025, 0, 5).toISOString() },
      { id: "g", at: new Date(2024, 0, 5).toISOString() },
      { id: "h", at: "not a date" },
    ];
    const groups = groupByDate(items, (item) => item.at, now);
    expect(groups.map((g) => [g.label, g.items.map((i) => i.id).join("")])).toEqual([
      ["Today", "ab"],
      ["Yesterday", "c"],
      ["Previous 7 days", "d"],
      ["Previous 30 days", "e"],
      ["January", "f"],
      ["January 2024", "g"],
      ["Older", "h"],
    ]);
  });
});
