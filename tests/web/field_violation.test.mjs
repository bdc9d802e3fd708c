// A form submitted with a bad value shows the server's field violation beside its field
// (aria-describedby, aria-invalid), submitted from the keyboard.
import assert from "node:assert/strict";
import { test } from "node:test";
import { newPage, signIn, withServerAndBrowser } from "./lib.mjs";

test("a field violation appears beside its field", { timeout: 120000 }, async () => {
  await withServerAndBrowser(async ({ server, browser }) => {
    const { page, record } = await newPage(browser);
    await signIn(page, server.base, server.tokens.physio, "#/player/7");
    const form = page.locator("#complaint-form");
    await form.waitFor();
    await form.getByLabel("Side").selectOption({ label: "left" });
    await form.getByLabel("Onset kind").selectOption({ label: "gradual" });
    const onset = form.getByLabel("Onset", { exact: true });
    // Three days ahead: the server refuses an onset in the future.
    const d = new Date(Date.now() + 3 * 86400000);
    const pad = (n) => String(n).padStart(2, "0");
    await onset.fill(`${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T10:00`);
    // Keyboard only: focus the pain field and press Enter to submit.
    await form.getByLabel("Pain (0-10)").focus();
    await page.keyboard.press("Enter");
    const error = form.locator('.field-error[data-field="complaint.onset_time"]');
    await error.waitFor();
    assert.match(await error.innerText(), /future/);
    const describedBy = (await onset.getAttribute("aria-describedby")).split(" ");
    assert.ok(describedBy.includes(await error.getAttribute("id")), "the message is not the field's description");
    assert.equal(await onset.getAttribute("aria-invalid"), "true");
    // Nothing was recorded.
    assert.equal(await page.locator("li.complaint").count(), 0);
    assert.deepEqual(record.problems, []);
  });
});
