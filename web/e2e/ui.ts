/** Page helpers shared by the browser tests, the screenshots and the benchmark. */
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { waitFor } from "./harness.ts";

export const composer = (page: Page): Locator =>
  page.getByRole("textbox", { name: "Message", exact: true });
export const sidebar = (page: Page): Locator =>
  page.getByRole("navigation", { name: "Conversations" });
export const messages = (page: Page): Locator => page.locator('[data-testid="message"]');
export const answers = (page: Page): Locator =>
  page.locator('[data-testid="message"][data-role="assistant"]');
export const lastAnswer = (page: Page): Locator => answers(page).last();
export const contentOf = (message: Locator): Locator =>
  message.locator('[data-testid="message-content"]');
/** The accessible name (`aria-label`) of the element that has the focus. */
export const focusedLabel = (page: Page): Promise<string | null | undefined> =>
  page.evaluate(() => document.activeElement?.getAttribute("aria-label"));

/** Types a message into the composer and sends it with the Send button. */
export async function send(page: Page, text: string): Promise<void> {
  const box = composer(page);
  await box.waitFor({ state: "visible" });
  await box.fill(text);
  const button = page.getByRole("button", { name: "Send message" });
  await waitFor("the Send button to be enabled", () => button.isEnabled());
  await button.click();
}

/** The conversation id in the page's URL (`/c/{id}`), once there is one. */
export async function conversationId(page: Page, timeoutMs = 10_000): Promise<string> {
  return await waitFor(
    "a /c/{id} URL",
    () => {
      const match = /\/c\/([^/?#]+)/.exec(new URL(page.url()).pathname);
      return match ? decodeURIComponent(match[1]) : null;
    },
    timeoutMs,
  );
}

/** Waits until the message's `data-status` is one of `statuses`; returns it. */
export async function waitForStatus(
  message: Locator,
  statuses: string[],
  timeoutMs = 20_000,
): Promise<string> {
  let seen: string | null = null;
  try {
    return await waitFor(
      `a message with status ${statuses.join(" or ")}`,
      async () => {
        seen = await message.getAttribute("data-status", { timeout: 1000 });
        return seen && statuses.includes(seen) ? seen : null;
      },
      timeoutMs,
    );
  } catch {
    throw new Error(
      `timed out after ${timeoutMs} ms waiting for status ${statuses.join(" or ")} (the message's status was ${seen})`,
    );
  }
}

/** The visible text of a message's rendered content ("" when it has none yet). */
export async function textOf(message: Locator): Promise<string> {
  const content = contentOf(message);
  if ((await content.count()) === 0) return "";
  return ((await content.first().textContent({ timeout: 2000 })) ?? "").trim();
}

/** Runs a sidebar action (Rename, Delete) on the conversation with that title. */
export async function conversationAction(
  page: Page,
  title: string,
  action: "Rename" | "Delete",
): Promise<void> {
  const nav = sidebar(page);
  await nav.getByRole("link", { name: title, exact: true }).waitFor({ state: "visible" });
  const item = nav
    .getByRole("listitem")
    .filter({ has: page.getByRole("link", { name: title, exact: true }) });
  await item.hover();
  const direct = item.getByRole("button", { name: action, exact: true });
  if ((await direct.count()) > 0) {
    await direct.click();
    return;
  }
  await item.getByRole("button", { name: "Conversation actions" }).click();
  await page.getByRole("menuitem", { name: action }).click();
}

/** Asserts the document has the given theme and returns nothing. */
export async function assertTheme(page: Page, theme: "light" | "dark"): Promise<void> {
  const actual = await waitFor(`data-theme=${theme}`, async () => {
    const value = await page.locator("html").getAttribute("data-theme");
    return value === theme ? value : null;
  });
  assert.equal(actual, theme);
}

/** A PNG of `width`×`height` pixels drawn by the page's own canvas (a sky with a sun). */
export async function drawnPng(page: Page, width: number, height: number): Promise<Buffer> {
  const base64 = await page.evaluate(
    ([w, h]) => {
      const canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      const context = canvas.getContext("2d");
      if (!context) throw new Error("no 2d canvas");
      const sky = context.createLinearGradient(0, 0, 0, h);
      sky.addColorStop(0, "#7c3aed");
      sky.addColorStop(1, "#f97316");
      context.fillStyle = sky;
      context.fillRect(0, 0, w, h);
      context.fillStyle = "#fde047";
      context.beginPath();
      context.arc(w * 0.65, h * 0.6, Math.min(w, h) * 0.2, 0, Math.PI * 2);
      context.fill();
      return canvas.toDataURL("image/png").split(",")[1];
    },
    [width, height] as const,
  );
  return Buffer.from(base64, "base64");
}

/** Attaches files to the next message through the composer's file picker. */
export async function attachFiles(
  page: Page,
  files: { name: string; mimeType: string; buffer: Buffer }[],
): Promise<void> {
  await page.locator('[data-testid="attach-input"]').setInputFiles(files);
}

/** Picks a model in the top bar's picker: the first option listing `id` after searching `query`. */
export async function pickModel(page: Page, query: string, id: string): Promise<void> {
  const picker = page.getByRole("button", { name: "Model", exact: true });
  await picker.click();
  await page.getByRole("combobox", { name: "Search models" }).fill(query);
  await page.getByRole("option").filter({ hasText: id }).first().click();
  await waitFor(
    `the picker to show ${id}`,
    async () => (await picker.getAttribute("title")) === id,
  );
}
