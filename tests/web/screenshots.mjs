// Takes the README's screenshots of the web app (docs/screenshots/*.png) from a freshly seeded
// server, one per page and role:
//   node tests/web/screenshots.mjs            (uses build/; the same environment as the tests)
import fs from "node:fs";
import path from "node:path";
import { launchBrowser, newPage, signIn, SOURCE_DIR, startServer } from "./lib.mjs";

const out = path.join(SOURCE_DIR, "docs", "screenshots");
fs.mkdirSync(out, { recursive: true });

const server = await startServer();
const browser = await launchBrowser();
const shot = async (page, name) => {
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(out, `${name}.png`) });
  console.log(`docs/screenshots/${name}.png`);
};
try {
  {
    const { page } = await newPage(browser);
    await page.goto(`${server.base}/`);
    await page.getByLabel("Access token").waitFor();
    await shot(page, "sign-in");
  }
  {
    const { page } = await newPage(browser);
    await signIn(page, server.base, server.tokens.coach, "#/board");
    await page.locator("li.player").nth(49).waitFor();
    await shot(page, "board-coach");
  }
  {
    const { page } = await newPage(browser, { width: 390, height: 844, mobile: true });
    await signIn(page, server.base, server.tokens.coach, "#/board");
    await page.locator("li.player").nth(49).waitFor();
    await shot(page, "board-phone");
  }
  {
    const { page } = await newPage(browser);
    await signIn(page, server.base, server.tokens.physio, "#/flags");
    await page.locator("ol.flag-list > li").nth(3).waitFor();
    await shot(page, "flag-queue");
    await page.goto(`${server.base}/#/player/4`);
    await page.getByRole("heading", { name: "Henry Ashcombe" }).waitFor();
    await shot(page, "player");
    await page.locator("#protocols").scrollIntoViewIfNeeded();
    await page.evaluate(() => document.getElementById("protocols").scrollIntoView());
    await shot(page, "player-protocols");
    // A complaint with an onset in the future: the server's violation beside its field.
    const form = page.locator("#complaint-form");
    await form.getByLabel("Side").selectOption({ label: "left" });
    await form.getByLabel("Onset kind").selectOption({ label: "gradual" });
    const d = new Date(Date.now() + 3 * 86400000);
    const pad = (n) => String(n).padStart(2, "0");
    await form.getByLabel("Onset", { exact: true }).fill(`${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T10:00`);
    await form.getByRole("button", { name: "Record complaint" }).click();
    await form.locator(".field-error").first().waitFor();
    await page.evaluate(() => document.getElementById("complaint-form").scrollIntoView());
    await shot(page, "form-violation");
  }
  {
    const { page } = await newPage(browser);
    await signIn(page, server.base, server.tokens.analyst, "#/analytics");
    await page.locator("#load-h").waitFor();
    await shot(page, "analytics");
  }
  {
    const { page } = await newPage(browser);
    await signIn(page, server.base, server.tokens.admin, "#/audit");
    await page.locator("table.audit tbody tr").first().waitFor();
    await shot(page, "audit");
  }
} finally {
  await browser.close();
  await server.stop();
}
