/**
 * Screenshots of the main screens (empty state, a rich markdown answer, the model picker,
 * an error, images) on a desktop and a phone, light and dark, in artifacts/screenshots/.
 */
import assert from "node:assert/strict";
import { mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import {
  type AppServer,
  ARTIFACTS,
  assertPrerequisites,
  DESKTOP,
  launchBrowser,
  MOBILE,
  newPage,
  type Simulator,
  startAppServer,
  startSimulator,
  stopAll,
  waitFor,
} from "./harness.ts";
import { assertTheme, attachFiles, composer, drawnPng, lastAnswer, waitForStatus } from "./ui.ts";

const SCREENSHOTS = path.join(ARTIFACTS, "screenshots");

let simulator: Simulator;
let app: AppServer;
let browser: Browser;
let rich = "";
let failing = "";
let edited = "";
let pictures = "";

/** A conversation with one question and its stored answer, made through the API. */
async function seedConversation(question: string): Promise<string> {
  const { id } = await app.api<{ id: string }>("POST", "/conversations", {});
  await app.api("POST", `/conversations/${id}/messages`, { message: question });
  await app.drainStream(id);
  return id;
}

/** A conversation whose question was edited once, each version answered. */
async function seedEditedConversation(): Promise<string> {
  const { id } = await app.api<{ id: string }>("POST", "/conversations", {});
  const first = await app.api<{ id: string }>("POST", `/conversations/${id}/messages`, {
    message: "Plan a day in Porto [[sim tokens=40 tps=0]]",
  });
  await app.drainStream(id);
  await app.api("POST", `/conversations/${id}/messages/${first.id}/edit`, {
    message: "Plan a rainy day in Porto, with a long lunch [[sim tokens=50 tps=0]]",
  });
  await app.drainStream(id);
  return id;
}

/** A conversation whose question carries two images (drawn by `page`), with its answer. */
async function seedImageConversation(page: Page): Promise<string> {
  const { id } = await app.api<{ id: string }>("POST", "/conversations", {});
  const image = async (name: string, width: number, height: number) => ({
    name,
    media_type: "image/png",
    data: (await drawnPng(page, width, height)).toString("base64"),
  });
  await app.api("POST", `/conversations/${id}/messages`, {
    message: "Which one makes the better poster? [[sim tokens=40 tps=0]]",
    attachments: [await image("harbour.png", 640, 420), await image("tower.png", 300, 600)],
  });
  await app.drainStream(id);
  return id;
}

before(async () => {
  assertPrerequisites();
  mkdirSync(SCREENSHOTS, { recursive: true });
  [simulator, browser] = await Promise.all([startSimulator(), launchBrowser()]);
  app = await startAppServer({ simulator });
  await seedConversation("Ideas for a weekend in Lisbon [[sim tokens=60 tps=0]]");
  await seedConversation("How does quicksort work? [[sim tokens=80 tps=0]]");
  failing = await seedConversation("Summarise this report for me [[sim status=402]]");
  rich = await seedConversation(
    "Show me every markdown element [[sim reply=markdown tokens=117 tps=0]]",
  );
  edited = await seedEditedConversation();
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await stopAll();
});

const sizes = { desktop: DESKTOP, mobile: MOBILE } as const;
const themes = ["light", "dark"] as const;

async function applyTheme(page: Page, theme: "light" | "dark"): Promise<void> {
  await page.emulateMedia({ colorScheme: theme });
  const current = await page.locator("html").getAttribute("data-theme");
  if (current !== theme) {
    // A saved choice overrides the system one: flip it with the toggle.
    for (let i = 0; i < 3; i++) {
      if ((await page.locator("html").getAttribute("data-theme")) === theme) break;
      await page.getByRole("button", { name: "Toggle theme" }).first().click();
    }
  }
  await assertTheme(page, theme);
}

async function shoot(page: Page, name: string): Promise<string> {
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(150);
  await page.screenshot({ path: file });
  assert.ok(statSync(file).size > 5_000, `${file} looks empty`);
  return file;
}

describe("screenshots", { timeout: 180_000 }, () => {
  for (const [sizeName, viewport] of Object.entries(sizes)) {
    for (const theme of themes) {
      test(`${sizeName} ${theme}`, { timeout: 60_000 }, async (t) => {
        const { context, page } = await newPage(browser, app, { viewport, colorScheme: theme });
        try {
          const tag = `${sizeName}-${theme}`;
          await page.goto("/");
          await composer(page).waitFor({ state: "visible" });
          await applyTheme(page, theme);
          await shoot(page, `empty-${tag}`);

          await page.goto(`/c/${rich}`);
          const answer = lastAnswer(page);
          await waitForStatus(answer, ["complete"]);
          await answer.locator(".katex").first().waitFor({ state: "attached" });
          await assertTheme(page, theme);
          await shoot(page, `conversation-${tag}`);

          await page.getByRole("button", { name: "Model", exact: true }).first().click();
          await waitFor("the model list", async () => (await page.getByRole("option").count()) > 3);
          await shoot(page, `model-picker-${tag}`);
          await page.keyboard.press("Escape");

          await page.getByRole("button", { name: "Conversation settings" }).click();
          await page.getByRole("button", { name: "Download as Markdown" }).waitFor();
          await shoot(page, `settings-${tag}`);
          await page.keyboard.press("Escape");

          await page.goto(`/c/${edited}`);
          await waitForStatus(lastAnswer(page), ["complete"]);
          const question = page.locator('[data-testid="message"][data-role="user"]').last();
          await question.hover();
          await shoot(page, `edited-${tag}`);
          await question.getByRole("button", { name: "Edit message" }).click();
          await shoot(page, `editor-${tag}`);
          await page.keyboard.press("Escape");
          await question.getByRole("button", { name: "Previous version" }).click();
          await question.getByText(/An earlier version/).waitFor();
          await shoot(page, `earlier-version-${tag}`);

          await page.goto(`/c/${failing}`);
          await lastAnswer(page).getByRole("alert").waitFor({ state: "visible" });
          await shoot(page, `error-${tag}`);

          pictures ||= await seedImageConversation(page);
          await page.goto(`/c/${pictures}`);
          await waitForStatus(lastAnswer(page), ["complete"]);
          await attachFiles(page, [
            { name: "sketch.png", mimeType: "image/png", buffer: await drawnPng(page, 240, 240) },
          ]);
          await page.getByRole("list", { name: "Images to send" }).getByRole("img").waitFor();
          await waitFor("the images loaded", () =>
            page.evaluate(() =>
              Array.from(document.images).every((image) => image.complete && image.naturalWidth),
            ),
          );
          await shoot(page, `images-${tag}`);

          if (viewport.width < 600) {
            await page.getByRole("button", { name: "Open sidebar" }).click();
            await page.getByRole("link", { name: /^Show me every markdown/ }).waitFor();
            await page.waitForTimeout(300);
            await shoot(page, `sidebar-${tag}`);
          }
          t.diagnostic(`screenshots written to ${SCREENSHOTS}`);
        } finally {
          await context.close();
        }
      });
    }
  }
});
