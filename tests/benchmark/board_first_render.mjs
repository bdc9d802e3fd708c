// The readiness board's time to first render on the seeded squad (issue 20 item 5), in Debian's
// chromium against a real server serving the built app:
//   board     a signed-in coach opens #/board: from navigation start until all 50 players of the
//             seed are on the page (the app's script, GetCaller, ListSquads and the board's first
//             WatchSquadReadiness message, rendered)
//   baseline  the sign-in page: from navigation start until its token field is on the page (the
//             same HTML, script and stylesheet, no API call)
// Runs alternate (board, baseline, board, ...) in one browser so that both see the same machine
// load; each run is a new browser context (fresh sessionStorage and cache) on the same
// warm server (a context starts with an empty HTTP cache). Prints each median, the ratio and the board's extra time.
//   node tests/benchmark/board_first_render.mjs [RUNS]      (default 15; QUICK=1: 3)
// Environment as tests/web/lib.mjs (TOUCHLINE_SERVER, TOUCHLINE_CLI, TOUCHLINE_PLUGIN_DIR,
// TOUCHLINE_WEB_ROOT; defaults under build/).
import { launchBrowser, startServer } from "../web/lib.mjs";

const runs = Number(process.argv[2] ?? (process.env.QUICK ? 3 : 15));
const PLAYERS = 50;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function timed(browser, base, token) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  if (token) await context.addInitScript((t) => sessionStorage.setItem("touchline.token", t), token);
  const page = await context.newPage();
  try {
    if (token) {
      await page.goto(`${base}/#/board`, { waitUntil: "commit" });
      await page.waitForFunction((n) => document.querySelectorAll("li.player").length >= n, PLAYERS, { polling: "raf", timeout: 30000 });
    } else {
      await page.goto(`${base}/#/signin`, { waitUntil: "commit" });
      await page.waitForFunction(() => document.getElementById("token") !== null, null, { polling: "raf", timeout: 30000 });
    }
    return await page.evaluate(() => performance.now());
  } finally {
    await context.close();
  }
}

const server = await startServer();
const browser = await launchBrowser();
try {
  // One warm-up of each (the server's caches, chromium's first start).
  await timed(browser, server.base, server.tokens.coach);
  await timed(browser, server.base, "");
  const board = [];
  const baseline = [];
  for (let i = 0; i < runs; i++) {
    board.push(await timed(browser, server.base, server.tokens.coach));
    baseline.push(await timed(browser, server.base, ""));
  }
  const b = median(board);
  const s = median(baseline);
  console.log(`board first render (${PLAYERS} players, coach, ${runs} runs): median ${b.toFixed(1)} ms (min ${Math.min(...board).toFixed(1)}, max ${Math.max(...board).toFixed(1)})`);
  console.log(`baseline sign-in page (${runs} runs):                 median ${s.toFixed(1)} ms (min ${Math.min(...baseline).toFixed(1)}, max ${Math.max(...baseline).toFixed(1)})`);
  console.log(`ratio board/baseline: ${(b / s).toFixed(2)}; the board's data costs ${(b - s).toFixed(1)} ms more`);
} finally {
  await browser.close();
  await server.stop();
}
