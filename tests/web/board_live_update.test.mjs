// The coach's board follows changes by itself: an override set through the CLI shows on the open
// board within 2 s, without a reload.
import assert from "node:assert/strict";
import { test } from "node:test";
import { newPage, signIn, withServerAndBrowser } from "./lib.mjs";

test("board updates live within 2 s of a CLI change", { timeout: 120000 }, async () => {
  await withServerAndBrowser(async ({ server, browser }) => {
    const { page, record } = await newPage(browser);
    await signIn(page, server.base, server.tokens.coach, "#/board");
    const row = page.locator('li.player[data-player="7"]');
    await row.waitFor();
    assert.match(await row.innerText(), /Available/);
    const unavailableBefore = Number(await page.locator("[data-count=unavailable]").innerText());
    await page.evaluate(() => (window.__sameDocument = true));
    await page.waitForTimeout(1000); // the stream is open and settled

    server.cli(["readiness", "override", "--player=7", "--availability=unavailable", "--reason=Family matter", "--until=+1d"], "physio");
    const start = Date.now();
    await page.locator('li.player[data-player="7"] .pill', { hasText: "Unavailable" }).first().waitFor({ timeout: 5000 });
    const elapsed = Date.now() - start;
    console.log(`board showed the override ${elapsed} ms after the CLI returned (mode ${await page.locator(".live").getAttribute("data-mode")})`);
    assert.ok(elapsed < 2000, `took ${elapsed} ms`);
    assert.equal(Number(await page.locator("[data-count=unavailable]").innerText()), unavailableBefore + 1);
    assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was reloaded");
    // The coach sees that there is an override, not its reason.
    const text = await page.locator('li.player[data-player="7"]').innerText();
    assert.match(text, /Override/);
    assert.doesNotMatch(text, /Family matter/);
    assert.deepEqual(record.problems, []);
  });
});
