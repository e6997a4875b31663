/**
 * Two servers behind a load balancer, sharing a PostgreSQL database and Redis: the web app
 * works as with one server. The balancer is pinned to one server or the other, so that each
 * step crosses servers for sure: an answer written by one streams on, after a cut of every
 * connection, from the other, with no text lost or repeated; an answer written by one is
 * stopped through the other; the chat reads the same after a reload.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import {
  type AppServer,
  assertPrerequisites,
  type Balancer,
  keepScratchDir,
  lastUserText,
  launchBrowser,
  newPage,
  type Simulator,
  saveFailureScreenshots,
  scratchDir,
  sharedServices,
  startAppServer,
  startBalancer,
  startSimulator,
  stopAll,
  waitFor,
} from "./harness.ts";
import { answers, conversationId, lastAnswer, send, textOf, waitForStatus } from "./ui.ts";

let simulator: Simulator;
let servers: AppServer[] = [];
let balancer: Balancer;
let browser: Browser;
let missing: string | null = null;
let failed = false;

before(async () => {
  assertPrerequisites();
  const shared = await sharedServices();
  if ("missing" in shared) {
    missing = shared.missing;
    return;
  }
  [simulator, browser] = await Promise.all([startSimulator(), launchBrowser()]);
  const env = { DATABASE_URL: shared.databaseUrl, REDIS_URL: shared.redisUrl };
  servers = [await startAppServer({ simulator, env }), await startAppServer({ simulator, env })];
  balancer = await startBalancer(servers);
});

after(async () => {
  await browser?.close().catch(() => undefined);
  if (failed) {
    keepScratchDir();
    console.log(`server logs kept in ${scratchDir()}`);
  }
  await stopAll();
});

async function requestsFor(marker: string) {
  return (await simulator.requests()).filter((request) => lastUserText(request).includes(marker));
}

describe("Open Chat behind a load balancer", { timeout: 120_000 }, () => {
  test("two servers answer, resume, stop and reload one chat", { timeout: 90_000 }, async (t) => {
    if (missing) {
      if (process.env.REQUIRE_POSTGRES || process.env.REQUIRE_REDIS) throw new Error(missing);
      t.skip(`${missing}: several servers need both`);
      return;
    }
    let page: Page | undefined;
    try {
      ({ page } = await newPage(browser, balancer.server));
      balancer.pin(0); // the first server writes the first answer
      await page.goto("/");
      const marker = "Across servers";
      await send(page, `${marker} [[sim tokens=150 tps=30 ttft=0]]`);
      const id = await conversationId(page);
      const answer = lastAnswer(page);
      await waitFor("text before the cut", async () => (await textOf(answer)).length > 20);
      assert.equal(await answer.getAttribute("data-status"), "streaming", "it ended too soon");
      const before = balancer.connections[1];
      balancer.pin(1);
      balancer.cut(); // the stream comes back through the other server
      await waitForStatus(answer, ["complete"], 30_000);
      assert.ok(balancer.connections[1] > before, "the stream did not come back elsewhere");
      const stored = (await servers[0].conversation(id)).messages.at(-1);
      assert.equal(stored?.status, "complete");
      assert.equal((await requestsFor(marker)).length, 1, "a reconnect asked upstream again");
      const { page: fresh } = await newPage(browser, balancer.server);
      await fresh.goto(`/c/${id}`);
      await waitForStatus(lastAnswer(fresh), ["complete"]);
      assert.equal(await textOf(answer), await textOf(lastAnswer(fresh)), "text lost or repeated");
      await fresh.close();

      // The second server writes the next answer; the first is asked to stop it.
      await send(page, "Stop across servers [[sim tokens=400 tps=20 ttft=0]]");
      const second = lastAnswer(page);
      await waitFor("text before the stop", async () => (await textOf(second)).length > 10);
      balancer.pin(0);
      balancer.cut();
      await page.getByRole("button", { name: "Stop generating" }).click();
      await waitForStatus(second, ["cancelled"], 15_000);
      const stopped = (await servers[1].conversation(id)).messages.at(-1);
      assert.equal(stopped?.status, "cancelled");
      const partial = await textOf(second);
      await page.reload();
      await waitForStatus(lastAnswer(page), ["cancelled"]);
      assert.equal(await answers(page).count(), 2);
      assert.equal(await textOf(lastAnswer(page)), partial, "the stopped text changed");
    } catch (error) {
      failed = true;
      if (page) await saveFailureScreenshots("behind a load balancer", [page]);
      throw error;
    }
  });
});
