// A physio records a complaint through the player page's form; the flag it raises appears on the
// player page and in the flag queue. Luke Coverdale (player 8) had awkward contact within the
// last 14 days, so a new complaint is of suspected pelvic origin.
import assert from "node:assert/strict";
import { test } from "node:test";
import { newPage, signIn, withServerAndBrowser } from "./lib.mjs";

test("physio records a complaint and the flag appears", { timeout: 120000 }, async () => {
  await withServerAndBrowser(async ({ server, browser }) => {
    const { page, record } = await newPage(browser);
    await signIn(page, server.base, server.tokens.physio, "#/flags");
    await page.locator("ol.flag-list > li").first().waitFor();
    assert.equal(await page.locator("li.flag", { hasText: "Luke Coverdale" }).count(), 0);

    await page.goto(`${server.base}/#/player/8`);
    await page.getByRole("heading", { name: "Luke Coverdale" }).waitFor();
    const form = page.locator("#complaint-form");
    await form.getByLabel("Side").selectOption({ label: "right" });
    await form.getByLabel("Onset kind").selectOption({ label: "gradual" });
    await form.getByLabel("Mechanism").selectOption({ label: "sprinting" });
    await form.getByLabel("Pain (0-10)").fill("4");
    await form.getByLabel("Tightness").check();
    await form.getByLabel("Findings notes").fill("Tight through the right hamstring after the weekend");
    await form.getByRole("button", { name: "Record complaint" }).click();
    await form.getByText(/Recorded complaint \d+\./).waitFor();

    // The player page reloads its record: the complaint and its flag.
    await page.locator("#flags li", { hasText: "suspected pelvic origin" }).waitFor();
    await page.locator("li.complaint.complaint-open", { hasText: "right gradual" }).waitFor();
    // The contact events cited for it are marked.
    assert.ok(await page.locator(".event-awkward").count() > 0);

    // The flag queue shows it, unacknowledged, with the days to the six-week line.
    await page.goto(`${server.base}/#/flags`);
    const card = page.locator("li.flag", { hasText: "Luke Coverdale" });
    await card.waitFor();
    assert.match(await card.innerText(), /suspected pelvic origin/i);
    assert.match(await card.innerText(), /to the six-week line/);
    // Acknowledge it from the queue.
    await card.getByLabel("Note (optional)").fill("Pelvic screen booked");
    await card.getByRole("button", { name: "Acknowledge" }).click();
    await page.locator("li.flag", { hasText: "Luke Coverdale" }).getByText(/Acknowledged by physio\.test/).waitFor();
    assert.deepEqual(record.problems, []);
  });
});
