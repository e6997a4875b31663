/**
 * `npm run e2e`: checks that the web app is built (it builds nothing), then runs every
 * `*.e2e.ts` file in this folder, one after another, with Node's test runner.
 */
import { spawn } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { ARTIFACTS, E2E_DIR, missingPrerequisite, WEB_DIR } from "./harness.ts";

const problem = missingPrerequisite();
if (problem) {
  console.error(`e2e: ${problem}`);
  process.exit(1);
}

// Screenshots of failed tests are from this run only.
rmSync(path.join(ARTIFACTS, "e2e-failures"), { recursive: true, force: true });

const files = readdirSync(E2E_DIR)
  .filter((name) => name.endsWith(".e2e.ts"))
  .sort()
  .map((name) => path.join("e2e", name));
const runner = spawn(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    "--test-concurrency=1",
    "--test-reporter=spec",
    ...process.argv.slice(2),
    ...files,
  ],
  { cwd: WEB_DIR, stdio: "inherit" },
);
// Pass a stop request on, so each test file stops the processes it started.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => runner.kill(signal));
}
runner.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
