// The board on a phone (390 x 844): one column, nothing wider than the screen, readable text, and
// the Content-Security-Policy the server sends is the one the app runs under.
import assert from "node:assert/strict";
import { test } from "node:test";
import { newPage, signIn, withServerAndBrowser } from "./lib.mjs";

test("board readable at phone width", { timeout: 120000 }, async () => {
  await withServerAndBrowser(async ({ server, browser }) => {
    const index = await fetch(`${server.base}/`);
    const csp = index.headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /style-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    const html = await index.text();
    assert.doesNotMatch(html, /<script>|<script(?![^>]*\bsrc=)[^>]*>|<style|style="/, "inline script or style in index.html");

    const { page, record } = await newPage(browser, { width: 390, height: 844, mobile: true });
    await signIn(page, server.base, server.tokens.coach, "#/board");
    await page.locator("li.player").nth(49).waitFor();
    const m = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      font: parseFloat(getComputedStyle(document.querySelector(".player-name")).fontSize),
      rowWidth: document.querySelector("li.player").getBoundingClientRect().width,
      columns: new Set([...document.querySelectorAll("li.player")].map((e) => Math.round(e.getBoundingClientRect().left))).size,
    }));
    assert.ok(m.scrollWidth <= 390, `page is ${m.scrollWidth}px wide`);
    assert.ok(m.font >= 15, `player names at ${m.font}px`);
    assert.equal(m.columns, 1);
    assert.ok(m.rowWidth >= 340);
    assert.ok(await page.locator(".counts").isVisible());
    assert.deepEqual(record.problems, []);
  });
});
