// Shared by the browser tests, the screenshots and the first-render benchmark: a real
// touchline-server (temporary database, free ports, the built web app on its HTTP listener,
// seeded by the real CLI, one token per role) and Debian's chromium, headless, through
// playwright-core from web/node_modules.
//
// Environment (ctest sets it; defaults are this source tree's build/):
//   TOUCHLINE_SERVER      touchline-server binary
//   TOUCHLINE_CLI         touchline CLI binary
//   TOUCHLINE_PLUGIN_DIR  built-in protocol plugins (build/plugins/builtin)
//   TOUCHLINE_WEB_ROOT    the built app (build/web/dist)
//   CHROMIUM              the browser (default /usr/bin/chromium)
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = path.resolve(here, "../..");
const BUILD_DIR = process.env.TOUCHLINE_BUILD_DIR ?? path.join(SOURCE_DIR, "build");
const require = createRequire(path.join(SOURCE_DIR, "web", "package.json"));
const { chromium } = require("playwright-core");

export const SERVER = process.env.TOUCHLINE_SERVER ?? path.join(BUILD_DIR, "server/api/touchline-server");
export const CLI = process.env.TOUCHLINE_CLI ?? path.join(BUILD_DIR, "client/touchline");
export const PLUGIN_DIR = process.env.TOUCHLINE_PLUGIN_DIR ?? path.join(BUILD_DIR, "plugins/builtin");
export const WEB_ROOT = process.env.TOUCHLINE_WEB_ROOT ?? path.join(BUILD_DIR, "web/dist");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export const ROLES = ["admin", "physio", "coach", "analyst"];

// Exit code ctest reads as "skipped" (SKIP_RETURN_CODE 77).
export const SKIP = 77;

// Starts a server on a fresh database with the app on its HTTP listener; seeds it unless
// {seed: false}; issues one token per role. Returns {base, grpc, dir, tokens, cli(args), stop()}.
export async function startServer({ seed = true } = {}) {
  for (const f of [SERVER, CLI, path.join(WEB_ROOT, "index.html")]) {
    if (!fs.existsSync(f)) throw new Error(`missing ${f}: build first (cmake --build build)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "touchline-web-"));
  const db = path.join(dir, "touchline.db");
  const logPath = path.join(dir, "server.log");
  const log = fs.openSync(logPath, "w");
  const proc = spawn(
    SERVER,
    [
      "--listen=127.0.0.1:0",
      "--http_listen=127.0.0.1:0",
      `--web_root=${WEB_ROOT}`,
      `--db=${db}`,
      `--plugin_path=${PLUGIN_DIR}`,
      "--synchronous=normal",
    ],
    { stdio: ["ignore", log, log] },
  );
  let exited = null;
  proc.on("exit", (code, signal) => (exited = { code, signal }));
  let grpcPort, httpPort;
  for (let i = 0; i < 400 && !(grpcPort && httpPort); i++) {
    await sleep(25);
    const text = fs.readFileSync(logPath, "utf8");
    grpcPort = /started on .*\(port (\d+)\)/.exec(text)?.[1];
    httpPort = /Connect protocol on .*\(port (\d+)\)/.exec(text)?.[1];
    if (exited) break;
  }
  if (!grpcPort || !httpPort) {
    proc.kill("SIGKILL");
    throw new Error(`server did not start:\n${fs.readFileSync(logPath, "utf8")}`);
  }
  const grpc = `127.0.0.1:${grpcPort}`;
  const adminTokenFile = `${db}.token`;
  const tokens = { admin: fs.readFileSync(adminTokenFile, "utf8").split("\n")[0].trim() };
  const tokenFiles = { admin: adminTokenFile };
  for (const role of ROLES.filter((r) => r !== "admin")) {
    const out = execFileSync(SERVER, [`--db=${db}`, `--add_token_user=${role}.test`, `--add_token_role=${role}`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    tokens[role] = out.trim().split("\n").pop().trim();
    tokenFiles[role] = path.join(dir, `${role}.token`);
    fs.writeFileSync(tokenFiles[role], tokens[role] + "\n", { mode: 0o600 });
  }
  const cli = (args, role = "admin") =>
    execFileSync(CLI, [`--server=${grpc}`, `--token-file=${tokenFiles[role]}`, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (seed) cli(["seed"]);
  return {
    base: `http://127.0.0.1:${httpPort}`,
    grpc,
    dir,
    tokens,
    cli,
    log: () => fs.readFileSync(logPath, "utf8"),
    async stop() {
      if (!exited) {
        proc.kill("SIGTERM");
        for (let i = 0; i < 200 && !exited; i++) await sleep(25);
        if (!exited) proc.kill("SIGKILL");
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM} (apt-get install chromium)`);
  // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
}

// A page that records every response body of the API and every CSP violation or page error.
export async function newPage(browser, { width = 1280, height = 800, mobile = false } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: 1, locale: "en-GB", timezoneId: "UTC" });
  // Keeps a copy of every API response body as the page's own fetch receives it, streams
  // included (Playwright cannot read a response that has not ended). Added through the DevTools
  // protocol, so the page's Content-Security-Policy does not apply to it.
  await context.addInitScript(() => {
    const original = window.fetch;
    window.__tlNet = [];
    window.fetch = async (...args) => {
      const response = await original(...args);
      const entry = { url: String(args[0]?.url ?? args[0]), text: "" };
      window.__tlNet.push(entry);
      try {
        const reader = response.clone().body.getReader();
        const decoder = new TextDecoder();
        (async () => {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            entry.text += decoder.decode(value, { stream: true });
          }
        })().catch(() => {});
      } catch {
        /* no body */
      }
      return response;
    };
  });
  const page = await context.newPage();
  const record = { responses: [], problems: [] };
  page.on("pageerror", (e) => record.problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content.Security.Policy|Refused to/i.test(m.text())) record.problems.push(`CSP: ${m.text()}`);
  });
  page.on("response", async (r) => {
    const url = r.url();
    if (!/\/touchline\.v1\.\w+\/\w+$/.test(new URL(url).pathname)) return;
    const entry = { method: new URL(url).pathname.slice(1), status: r.status(), body: "" };
    record.responses.push(entry);
    // Streams never finish; their text is read from the page (the DOM) instead.
    if ((r.headers()["content-type"] ?? "").startsWith("application/connect+")) return;
    try {
      entry.body = await r.text();
    } catch {
      /* navigation away */
    }
  });
  return { context, page, record };
}

// Everything the page shows or holds (markup with attributes, and the rendered text).
export async function domText(page) {
  return page.evaluate(() => `${document.documentElement.outerHTML}\n${document.body.innerText}`);
}

// Every API response body the page received so far (unary and streamed).
export async function networkText(page, record) {
  const streamed = await page.evaluate(() => (window.__tlNet ?? []).map((e) => `${e.url}\n${e.text}`).join("\n"));
  return `${streamed}\n${record.responses.map((r) => r.body).join("\n")}`;
}

// Signs in through the sign-in form, as a person would.
export async function signIn(page, base, token, hash = "") {
  await page.goto(`${base}/#/signin`);
  await page.getByLabel("Access token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  if (hash) await page.goto(`${base}/${hash}`);
}

// Runs fn(ctx) against a fresh seeded server and a browser; always cleans up. Skips (exit 77)
// when the server has no --web_root (it serves no app to test).
export async function withServerAndBrowser(fn, options = {}) {
  const help = (() => {
    try {
      return execFileSync(SERVER, ["--help"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      return `${e.stdout ?? ""}${e.stderr ?? ""}`;
    }
  })();
  if (!help.includes("web_root")) {
    console.log(`SKIP: ${SERVER} has no --web_root`);
    process.exit(SKIP);
  }
  const server = await startServer(options);
  const browser = await launchBrowser();
  try {
    return await fn({ server, browser });
  } catch (e) {
    console.log(server.log());
    throw e;
  } finally {
    await browser.close();
    await server.stop();
  }
}
