/**
 * The web app benchmark (`npm run bench`): prints a table and writes artifacts/bench/web.json.
 *
 * (a) the gzip size of the JavaScript the first page load needs (the module script and its
 *     modulepreload links in web/dist/index.html), against 200 KB;
 * (b) navigation start → an interactive chat (composer enabled, last message rendered) on a
 *     conversation of 500 messages, median of 5 cold loads, against 500 ms;
 * (c) the longest main-thread task while a 5,000-token answer streams at 100 tokens/s,
 *     against 50 ms, with the count of long tasks and the total blocking time.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import {
  type AppServer,
  ARTIFACTS,
  assertPrerequisites,
  E2E_DIR,
  launchBrowser,
  newPage,
  type Simulator,
  startAppServer,
  startSimulator,
  stopAll,
  WEB_DIST,
} from "./harness.ts";
import { conversationId, lastAnswer, send, waitForStatus } from "./ui.ts";

const TARGETS = { initialJsGzipKB: 200, loadMs: 500, longestTaskMs: 50 };
const LOADS = 5;
const PAIRS = 250;
const STREAM_TOKENS = 5000;
const STREAM_TPS = 100;
const LAST_QUESTION = "Final question of the long conversation";

interface Asset {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** (a) The module script and modulepreload links of index.html, each gzipped. */
function initialJavaScript(): { assets: Asset[]; gzipBytes: number; bytes: number } {
  const html = readFileSync(path.join(WEB_DIST, "index.html"), "utf8");
  const urls = new Set<string>();
  for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`, "i").exec(tag)?.[1];
    if (/^<script/i.test(tag) && attr("type") === "module" && attr("src"))
      urls.add(attr("src") ?? "");
    if (/^<link/i.test(tag) && attr("rel") === "modulepreload" && attr("href")) {
      urls.add(attr("href") ?? "");
    }
  }
  if (urls.size === 0) throw new Error("index.html has no module script");
  const assets = [...urls].map((url) => {
    const file = path.join(WEB_DIST, url.replace(/^\//, "").split("?")[0]);
    const body = readFileSync(file);
    return {
      file: path.relative(WEB_DIST, file),
      bytes: body.length,
      gzipBytes: gzipSync(body, { level: 9 }).length,
    };
  });
  return {
    assets,
    bytes: assets.reduce((sum, asset) => sum + asset.bytes, 0),
    gzipBytes: assets.reduce((sum, asset) => sum + asset.gzipBytes, 0),
  };
}

/** A conversation of `PAIRS` question/answer pairs, stored through the API. */
async function seedLongConversation(app: AppServer, simulator: Simulator): Promise<string> {
  await simulator.configure({ tokens: 40, tps: 0, ttft: 0 });
  const { id } = await app.api<{ id: string }>("POST", "/conversations", {
    title: "Five hundred messages",
  });
  for (let i = 1; i <= PAIRS; i++) {
    const question = i === PAIRS ? LAST_QUESTION : `Question ${i}: show a short example`;
    await app.api("POST", `/conversations/${id}/messages`, {
      message: `${question} [[sim reply=markdown tokens=40 tps=0 ttft=0]]`,
    });
    await app.drainStream(id);
  }
  const stored = await app.conversation(id);
  if (stored.messages.length !== PAIRS * 2) {
    throw new Error(`seeded ${stored.messages.length} messages, wanted ${PAIRS * 2}`);
  }
  return id;
}

const WATCH_PAGE = readFileSync(path.join(E2E_DIR, "watch-page.js"), "utf8");

/** Before the app loads: record long tasks, and when the chat is usable (see watch-page.js). */
async function watchPage(page: Page, readyMarker: string | null): Promise<void> {
  await page.addInitScript({
    content: `window.__readyMarker = ${JSON.stringify(readyMarker)};\n${WATCH_PAGE}`,
  });
}

interface LoadTiming {
  readyMs: number;
  domContentLoadedMs: number;
  conversationFetchedMs: number;
}

/** One load of the conversation, timed in the page from navigation start. */
async function timeLoad(page: Page, id: string): Promise<LoadTiming> {
  await page.goto(`/c/${id}`);
  await page.waitForFunction(() => (window as { __ready?: number }).__ready !== undefined, null, {
    timeout: 30_000,
  });
  return await page.evaluate((conversationPath) => {
    const [navigation] = performance.getEntriesByType(
      "navigation",
    ) as PerformanceNavigationTiming[];
    const fetched = performance
      .getEntriesByType("resource")
      .filter((entry) => new URL(entry.name).pathname === conversationPath)
      .map((entry) => (entry as PerformanceResourceTiming).responseEnd);
    return {
      readyMs: (window as unknown as { __ready: number }).__ready,
      domContentLoadedMs: navigation?.domContentLoadedEventEnd ?? Number.NaN,
      conversationFetchedMs: fetched.length ? Math.min(...fetched) : Number.NaN,
    };
  }, `/conversations/${id}`);
}

/**
 * Cold loads (a new browser context each time: nothing cached) and warm loads (reloads in
 * one context: the assets come from the HTTP cache). A first load warms the server first.
 */
async function measureLoads(browser: Browser, app: AppServer, id: string) {
  const cold: LoadTiming[] = [];
  let rendered = 0;
  for (let i = 0; i < LOADS + 1; i++) {
    const { context, page } = await newPage(browser, app);
    try {
      await watchPage(page, LAST_QUESTION);
      const timing = await timeLoad(page, id);
      rendered = await page.locator('[data-testid="message"]').count();
      if (i > 0) cold.push(timing);
    } finally {
      await context.close();
    }
  }
  const warm: LoadTiming[] = [];
  const { context, page } = await newPage(browser, app);
  try {
    await watchPage(page, LAST_QUESTION);
    for (let i = 0; i < LOADS + 1; i++) {
      const timing = await timeLoad(page, id);
      if (i > 0) warm.push(timing);
    }
  } finally {
    await context.close();
  }
  const summary = (timings: LoadTiming[]) => ({
    timesMs: timings.map((timing) => timing.readyMs),
    medianMs: median(timings.map((timing) => timing.readyMs)),
    medianDomContentLoadedMs: median(timings.map((timing) => timing.domContentLoadedMs)),
    medianConversationFetchedMs: median(timings.map((timing) => timing.conversationFetchedMs)),
  });
  return { cold: summary(cold), warm: summary(warm), renderedMessages: rendered };
}

async function measureStream(browser: Browser, app: AppServer) {
  const { context, page } = await newPage(browser, app);
  try {
    await watchPage(page, null);
    await page.goto("/");
    await page.getByRole("textbox", { name: "Message", exact: true }).waitFor();
    await page.waitForTimeout(500);
    const startedAt = await page.evaluate(() => performance.now());
    await send(
      page,
      `Stream a long answer [[sim tokens=${STREAM_TOKENS} tps=${STREAM_TPS} ttft=0.2 reply=markdown]]`,
    );
    await conversationId(page);
    const answer = lastAnswer(page);
    await answer.waitFor({ state: "attached", timeout: 15_000 });
    await waitForStatus(answer, ["complete"], (STREAM_TOKENS / STREAM_TPS) * 1000 + 60_000);
    const endedAt = await page.evaluate(() => performance.now());
    const tasks = (
      await page.evaluate(
        () =>
          (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks,
      )
    ).filter((task) => task.start >= startedAt && task.start <= endedAt);
    const durations = tasks.map((task) => task.duration);
    const longest = tasks.reduce<{ start: number; duration: number } | null>(
      (worst, task) => (worst && worst.duration >= task.duration ? worst : task),
      null,
    );
    return {
      longestTaskAtSeconds: longest ? (longest.start - startedAt) / 1000 : null,
      streamSeconds: (endedAt - startedAt) / 1000,
      longTasks: tasks.length,
      longestTaskMs: durations.length ? Math.max(...durations) : 0,
      totalBlockingTimeMs: durations.reduce((sum, d) => sum + Math.max(0, d - 50), 0),
      answerChars: ((await answer.locator('[data-testid="message-content"]').textContent()) ?? "")
        .length,
    };
  } finally {
    await context.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : "-");

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column])).join("  ");
  console.log(line(rows[0]));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const row of rows.slice(1)) console.log(line(row));
}

async function main(): Promise<void> {
  assertPrerequisites();
  const bundle = initialJavaScript();
  const [simulator, browser] = await Promise.all([startSimulator(), launchBrowser()]);
  try {
    const app = await startAppServer({ simulator });
    console.log(`seeding ${PAIRS * 2} messages…`);
    const id = await seedLongConversation(app, simulator);
    console.log(`measuring ${LOADS} loads…`);
    const load = await measureLoads(browser, app, id);
    console.log(`streaming ${STREAM_TOKENS} tokens at ${STREAM_TPS}/s…`);
    const stream = await measureStream(browser, app);

    const gzipKB = bundle.gzipBytes / 1000;
    const results = {
      date: new Date().toISOString(),
      browser: browser.version(),
      targets: TARGETS,
      initialJs: { ...bundle, gzipKB, pass: gzipKB <= TARGETS.initialJsGzipKB },
      load500: {
        messages: PAIRS * 2,
        ...load,
        pass: load.cold.medianMs < TARGETS.loadMs,
        warmPass: load.warm.medianMs < TARGETS.loadMs,
      },
      stream5000: {
        tokens: STREAM_TOKENS,
        tokensPerSecond: STREAM_TPS,
        ...stream,
        pass: stream.longestTaskMs < TARGETS.longestTaskMs,
      },
    };

    console.log("");
    printTable([
      ["figure", "value", "target", "verdict"],
      [
        `initial JS, gzip (${bundle.assets.length} file${bundle.assets.length === 1 ? "" : "s"}, ${(bundle.bytes / 1000).toFixed(1)} KB raw)`,
        `${gzipKB.toFixed(1)} KB`,
        `<= ${TARGETS.initialJsGzipKB} KB`,
        verdict(results.initialJs.pass),
      ],
      [
        `${PAIRS * 2} messages to a usable chat, cold, median of ${LOADS}`,
        ms(load.cold.medianMs),
        `< ${TARGETS.loadMs} ms`,
        verdict(results.load500.pass),
      ],
      ["  each cold load", `${load.cold.timesMs.map((t) => t.toFixed(0)).join(", ")} ms`, "", ""],
      ["  DOMContentLoaded (median)", ms(load.cold.medianDomContentLoadedMs), "", ""],
      ["  conversation JSON received (median)", ms(load.cold.medianConversationFetchedMs), "", ""],
      [
        `${PAIRS * 2} messages to a usable chat, warm cache, median of ${LOADS}`,
        ms(load.warm.medianMs),
        `< ${TARGETS.loadMs} ms`,
        verdict(results.load500.warmPass),
      ],
      ["  each warm load", `${load.warm.timesMs.map((t) => t.toFixed(0)).join(", ")} ms`, "", ""],
      ["  message elements in the DOM", String(load.renderedMessages), "", ""],
      [
        `longest task, ${STREAM_TOKENS} tokens at ${STREAM_TPS}/s`,
        `${stream.longestTaskMs.toFixed(0)} ms`,
        `< ${TARGETS.longestTaskMs} ms`,
        verdict(results.stream5000.pass),
      ],
      [
        "  longest task started at",
        stream.longestTaskAtSeconds === null
          ? "-"
          : `${stream.longestTaskAtSeconds.toFixed(1)} s after sending`,
        "",
        "",
      ],
      ["  long tasks (> 50 ms)", String(stream.longTasks), "", ""],
      ["  total blocking time", `${stream.totalBlockingTimeMs.toFixed(0)} ms`, "", ""],
      ["  stream duration", `${stream.streamSeconds.toFixed(1)} s`, "", ""],
    ]);

    const folder = path.join(ARTIFACTS, "bench");
    mkdirSync(folder, { recursive: true });
    const file = path.join(folder, "web.json");
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nwritten to ${file}`);
  } finally {
    await browser.close().catch(() => undefined);
    await stopAll();
  }
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  await stopAll();
  process.exit(1);
});
