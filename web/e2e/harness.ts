/**
 * Processes and helpers for the browser tests and the web benchmark: the OpenRouter
 * simulator, app servers (each on a free port of 127.0.0.1 with a fresh SQLite database, or
 * sharing a fresh PostgreSQL database and Redis), a load balancer in front of several, headless
 * Chromium through playwright-core, and a small HTTP server that records requests.
 * Every process started here is stopped by `stopAll()` and, as a last resort, on exit.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import {
  connect,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = path.resolve(E2E_DIR, "..");
export const REPO_ROOT = path.resolve(WEB_DIR, "..");
export const WEB_DIST = process.env.WEB_DIST
  ? path.resolve(process.env.WEB_DIST)
  : path.join(WEB_DIR, "dist");
export const PYTHON = path.join(REPO_ROOT, ".venv", "bin", "python");
export const ARTIFACTS = path.join(REPO_ROOT, "artifacts");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const API_KEY = "sk-sim-e2e";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--headless",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Why the harness cannot run here, or null when it can. */
export function missingPrerequisite(): string | null {
  if (!existsSync(path.join(WEB_DIST, "index.html"))) {
    return `${path.join(WEB_DIST, "index.html")} is missing: build the web app first (cd web && npm run build, or make install)`;
  }
  if (!existsSync(PYTHON)) {
    return `${PYTHON} is missing: create the virtual environment first (make install)`;
  }
  if (!existsSync(CHROMIUM)) {
    return `${CHROMIUM} is missing: apt-get install -y chromium`;
  }
  return null;
}

export function assertPrerequisites(): void {
  const problem = missingPrerequisite();
  if (problem) throw new Error(problem);
}

// ---------------------------------------------------------------------------------------
// processes

const children = new Set<ChildProcess>();
let scratch: string | null = null;

/** A temporary folder for this run's databases and logs (removed by `stopAll`). */
export function scratchDir(): string {
  scratch ??= mkdtempSync(path.join(tmpdir(), "openchat-e2e-"));
  return scratch;
}

let keepScratch = false;
/** Keep the logs and databases after the run (for a failed run). */
export function keepScratchDir(): void {
  keepScratch = true;
}

process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void stopAll().finally(() => process.exit(130));
  });
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  log: string;
}

function startProcess(name: string, args: string[], env: NodeJS.ProcessEnv): Started {
  const log = path.join(scratchDir(), `${name}.log`);
  const fd = openSync(log, "a");
  const child = spawn(PYTHON, args, { cwd: REPO_ROOT, env, stdio: ["ignore", fd, fd] });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return { child, log };
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

async function waitUntilReady(started: Started, url: string, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null || started.child.signalCode !== null) {
      throw new Error(`${what} exited early (${started.log}):\n${tail(started.log)}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(
    `${what} did not answer ${url} within 30 s (${started.log}):\n${tail(started.log)}`,
  );
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 8000);
  await exited;
  clearTimeout(timer);
}

const servers = new Set<Server>();
const links = new Set<{ proxy: NetServer; sockets: Set<Socket> }>();

/** Stops every process and server started here; safe to call more than once. */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map(stopProcess));
  await Promise.all(
    [...servers].map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
  servers.clear();
  for (const { proxy, sockets } of links) {
    for (const socket of sockets) socket.destroy();
    proxy.close();
  }
  links.clear();
  await Promise.allSettled(dropAtStop.splice(0).map((drop) => drop()));
  if (scratch && !keepScratch) {
    rmSync(scratch, { recursive: true, force: true });
    scratch = null;
  }
}

/** The environment for a child: this one's, without any Open Chat setting of its own. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      !/^(OPENROUTER_|DATABASE_URL|REDIS_URL|SHARED_DATABASE|MODEL_NAME|PORT$|WEB_DIST|LOG_LEVEL)/.test(
        key,
      )
    ) {
      env[key] = value;
    }
  }
  return env;
}

// ---------------------------------------------------------------------------------------
// the simulator

export interface SimRequest {
  path?: string;
  body?: { model?: string; temperature?: number; messages?: { role: string; content: unknown }[] };
  outcome?: string;
  status?: number;
}

export class Simulator {
  constructor(
    readonly origin: string,
    readonly process: ChildProcess,
  ) {}

  get apiBase(): string {
    return `${this.origin}/api/v1`;
  }

  /** Every completion request received since the last `clearRequests`. */
  async requests(): Promise<SimRequest[]> {
    const response = await fetch(`${this.origin}/_sim/requests`);
    if (!response.ok) throw new Error(`GET /_sim/requests → ${response.status}`);
    const body = (await response.json()) as SimRequest[];
    if (!Array.isArray(body)) {
      throw new Error(`unexpected /_sim/requests body: ${JSON.stringify(body).slice(0, 200)}`);
    }
    return body.filter((request) => !request.path || request.path.endsWith("/chat/completions"));
  }

  async clearRequests(): Promise<void> {
    const response = await fetch(`${this.origin}/_sim/requests`, { method: "DELETE" });
    if (!response.ok) throw new Error(`DELETE /_sim/requests → ${response.status}`);
  }

  async configure(values: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.origin}/_sim/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(values),
    });
    if (!response.ok) {
      throw new Error(`POST /_sim/config → ${response.status} ${await response.text()}`);
    }
  }
}

/** The model id a recorded completion request asked for. */
export function requestedModel(request: SimRequest): string | undefined {
  return request.body?.model;
}

/** The text of the last user message of a recorded completion request. */
export function lastUserText(request: SimRequest): string {
  const list = request.body?.messages ?? [];
  for (let i = list.length - 1; i >= 0; i--) {
    const { role, content } = list[i];
    if (role !== "user") continue;
    if (typeof content === "string") return content;
    if (Array.isArray(content)) {
      return content
        .map((part: { text?: unknown }) => (typeof part.text === "string" ? part.text : ""))
        .join("\n");
    }
    return "";
  }
  return "";
}

export async function startSimulator(): Promise<Simulator> {
  const port = await freePort();
  const started = startProcess(
    `simulator-${port}`,
    ["-m", "openchat.simulator", "--host", "127.0.0.1", "--port", String(port)],
    baseEnv(),
  );
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilReady(started, `${origin}/api/v1/models`, "the OpenRouter simulator");
  return new Simulator(origin, started.child);
}

// ---------------------------------------------------------------------------------------
// the app server

export interface AppServerOptions {
  /** The simulator to send requests to (without one, an address where nothing listens). */
  simulator?: Simulator | null;
  /** Whether the server gets an API key (default true); without, it is "not configured". */
  withKey?: boolean;
  env?: Record<string, string>;
}

export class AppServer {
  constructor(
    readonly origin: string,
    readonly process: ChildProcess,
    readonly databaseFile: string,
  ) {}

  async api<T>(method: string, pathname: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.origin}${pathname}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error(`${method} ${pathname} → ${response.status} ${await response.text()}`);
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  async conversation(id: string): Promise<ConversationDetail> {
    return await this.api<ConversationDetail>("GET", `/conversations/${id}`);
  }

  /** Reads a conversation's stream to its end (so its answer is stored). */
  async drainStream(id: string): Promise<string> {
    const response = await fetch(`${this.origin}/conversations/${id}/stream`, {
      signal: AbortSignal.timeout(60_000),
    });
    return await response.text();
  }
}

export interface Message {
  id: string;
  role: "user" | "assistant" | "system";
  content: string;
  model: string | null;
  status: string;
  error: string | null;
  usage: Record<string, number> | null;
}

export interface ConversationDetail {
  id: string;
  title: string;
  default_model: string;
  system_prompt: string | null;
  temperature: number | null;
  messages: Message[];
}

let appCount = 0;

export async function startAppServer(options: AppServerOptions = {}): Promise<AppServer> {
  const port = await freePort();
  appCount += 1;
  const databaseFile = path.join(scratchDir(), `app-${appCount}.db`);
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    OPENROUTER_API_KEY: options.withKey === false ? "" : API_KEY,
    OPENROUTER_BASE_URL: options.simulator
      ? options.simulator.apiBase
      : "http://127.0.0.1:9/api/v1",
    DATABASE_URL: `sqlite:///${databaseFile}`,
    WEB_DIST,
    LOG_LEVEL: "WARNING",
    STREAM_PING_INTERVAL: "5",
    CHECKPOINT_INTERVAL: "0.25",
    ...options.env,
  };
  const started = startProcess(
    `app-${appCount}-${port}`,
    ["-m", "openchat", "serve", "--host", "127.0.0.1", "--port", String(port)],
    env,
  );
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilReady(started, `${origin}/health`, "the Open Chat server");
  return new AppServer(origin, started.child, databaseFile);
}

// ---------------------------------------------------------------------------------------
// TCP proxies: a link whose "network" can be cut, and a load balancer

interface Proxy {
  port: number;
  /** Drops every open connection. */
  dropAll(): void;
}

/** Listens on a free port and pipes each new connection to the port `route()` names, or
 * refuses it when `route()` gives null. */
async function startProxy(route: () => number | null): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const proxy = createNetServer((client) => {
    const targetPort = route();
    if (targetPort === null) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, "127.0.0.1");
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => socket.destroy());
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  links.add({ proxy, sockets });
  const address = proxy.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    dropAll() {
      for (const socket of sockets) socket.destroy();
    },
  };
}

function portOf(server: AppServer): number {
  return Number(new URL(server.origin).port);
}

export interface CuttableLink {
  /** The app as seen through the link; open pages on this. */
  server: AppServer;
  /** Drops every open connection and refuses new ones for `ms` milliseconds. */
  cut(ms: number): void;
}

export async function startCuttableLink(target: AppServer): Promise<CuttableLink> {
  let downUntil = 0;
  const proxy = await startProxy(() => (Date.now() < downUntil ? null : portOf(target)));
  return {
    server: new AppServer(`http://127.0.0.1:${proxy.port}`, target.process, target.databaseFile),
    cut(ms: number) {
      downUntil = Date.now() + ms;
      proxy.dropAll();
    },
  };
}

export interface Balancer {
  /** The app as seen through the balancer; open pages on this. */
  server: AppServer;
  /** Connections sent to each server so far, in the order of `targets`. */
  connections: number[];
  /** Drops every open connection (new ones go on to the next server). */
  cut(): void;
  /** Sends every new connection to that server (`null`: to each in turn again). */
  pin(index: number | null): void;
}

/** A load balancer: each new connection goes to the next server, in turn (or the pinned one). */
export async function startBalancer(targets: AppServer[]): Promise<Balancer> {
  const connections = targets.map(() => 0);
  let next = 0;
  let pinned: number | null = null;
  const proxy = await startProxy(() => {
    const turn = pinned ?? next;
    next = (next + 1) % targets.length;
    connections[turn] += 1;
    return portOf(targets[turn]);
  });
  const [first] = targets;
  return {
    server: new AppServer(`http://127.0.0.1:${proxy.port}`, first.process, first.databaseFile),
    connections,
    cut: proxy.dropAll,
    pin(index) {
      pinned = index;
    },
  };
}

// ---------------------------------------------------------------------------------------
// PostgreSQL and Redis, for several servers sharing them

const POSTGRES_URL = process.env.PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.REDIS_TEST_URL ?? "redis://127.0.0.1:6379/15";

/** Runs Python code (with the project's environment) to its end; its output, or throws. */
async function python(code: string, args: string[] = []): Promise<string> {
  const child = spawn(PYTHON, ["-c", code, ...args], { cwd: REPO_ROOT, env: baseEnv() });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const status = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (status !== 0) throw new Error(output.trim().split("\n").at(-1) ?? "failed");
  return output.trim();
}

const ADMIN = `
import asyncio, sys
import asyncpg
async def main(url, statement):
    connection = await asyncpg.connect(url, timeout=3)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
asyncio.run(main(sys.argv[1], sys.argv[2]))
`;

/** A new empty PostgreSQL database (dropped by `stopAll`), and Redis's URL; or why not. */
export async function sharedServices(): Promise<
  { databaseUrl: string; redisUrl: string } | { missing: string }
> {
  const name = `openchat_e2e_${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
  try {
    await python(ADMIN, [POSTGRES_URL, `CREATE DATABASE "${name}"`]);
  } catch (error) {
    return { missing: `PostgreSQL is not reachable at ${where(POSTGRES_URL)} (${String(error)})` };
  }
  dropAtStop.push(() => python(ADMIN, [POSTGRES_URL, `DROP DATABASE "${name}" WITH (FORCE)`]));
  try {
    await python("import sys, redis; redis.Redis.from_url(sys.argv[1]).ping()", [REDIS_URL]);
  } catch (error) {
    return { missing: `Redis is not reachable at ${where(REDIS_URL)} (${String(error)})` };
  }
  const base = POSTGRES_URL.slice(0, POSTGRES_URL.lastIndexOf("/"));
  return { databaseUrl: `${base}/${name}`, redisUrl: REDIS_URL };
}

const dropAtStop: (() => Promise<unknown>)[] = [];

/** Where a URL points, without what it may hold of a password. */
function where(url: string): string {
  const { host } = new URL(url);
  return host;
}

// ---------------------------------------------------------------------------------------
// a server that records every request (to prove that nothing was fetched from it)

export interface Recorder {
  origin: string;
  requests: { method: string; url: string }[];
}

export async function startRecorder(): Promise<Recorder> {
  const recorder: Recorder = { origin: "", requests: [] };
  const server = createServer((request: IncomingMessage, response) => {
    recorder.requests.push({ method: request.method ?? "", url: request.url ?? "" });
    response.writeHead(200, { "content-type": "image/gif", "cache-control": "no-store" });
    // a 1×1 transparent GIF
    response.end(Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64"));
  });
  servers.add(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  recorder.origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return recorder;
}

// ---------------------------------------------------------------------------------------
// the browser

export async function launchBrowser(): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}

export const DESKTOP = { width: 1280, height: 800 };
export const MOBILE = { width: 390, height: 844 };

export async function newPage(
  browser: Browser,
  server: AppServer,
  options: { viewport?: { width: number; height: number }; colorScheme?: "light" | "dark" } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const mobile = (options.viewport?.width ?? DESKTOP.width) < 600;
  const context = await browser.newContext({
    baseURL: server.origin,
    viewport: options.viewport ?? DESKTOP,
    colorScheme: options.colorScheme ?? "light",
    isMobile: mobile,
    hasTouch: mobile,
    deviceScaleFactor: 1,
    reducedMotion: "reduce",
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  return { context, page };
}

/** Screenshots of a failed test's pages, in artifacts/e2e-failures/, for a look afterwards. */
export async function saveFailureScreenshots(name: string, pages: Page[]): Promise<void> {
  const folder = path.join(ARTIFACTS, "e2e-failures");
  mkdirSync(folder, { recursive: true });
  const slug = name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
  for (const [index, page] of pages.entries()) {
    if (page.isClosed()) continue;
    const file = path.join(folder, `${slug}-${index + 1}.png`);
    try {
      await page.screenshot({ path: file, timeout: 5000 });
      console.log(`failure screenshot: ${file}`);
    } catch {
      // the page may be gone
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a truthy value (returned) or the time is up (throws). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 10_000,
  intervalMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
}
