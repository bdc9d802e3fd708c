// A coach's board shows no clinical text anywhere: not in the DOM, not in any API response the
// browser received (unary or streamed); the coach's browser calls no clinical method. The same
// words DO appear for a physio on the same page, so the check can fail.
import assert from "node:assert/strict";
import { test } from "node:test";
import { domText, networkText, newPage, signIn, withServerAndBrowser } from "./lib.mjs";

// From the seed's clinical record of squad 1 (complaints, flags, findings, protocols).
const CLINICAL = ["hamstring", "complaint", "acute", "left", "right", "flag", "exacerbation", "pelvic", "recurrence",
  "persistent", "piriformis", "sciatic", "slump", "isometric", "4x20s", "@20%"];
// What a coach's board needs, and nothing else.
const COACH_METHODS = new Set(["touchline.v1.AccessService/GetCaller", "touchline.v1.SquadService/ListSquads",
  "touchline.v1.ReadinessService/WatchSquadReadiness", "touchline.v1.ReadinessService/GetSquadReadiness"]);

function found(text) {
  const lower = text.toLowerCase();
  return CLINICAL.filter((w) => lower.includes(w));
}

test("coach board: no clinical text in the DOM or the network; a physio sees it", { timeout: 120000 }, async () => {
  await withServerAndBrowser(async ({ server, browser }) => {
    const coach = await newPage(browser);
    await signIn(coach.page, server.base, server.tokens.coach, "#/board");
    await coach.page.locator("[data-count=unavailable]").waitFor();
    await coach.page.locator("li.player").nth(49).waitFor(); // the 50 players of the seed
    await coach.page.waitForTimeout(500);
    const coachDom = await domText(coach.page);
    const coachNet = await networkText(coach.page, coach.record);
    // The board did show what a coach may know.
    assert.match(coachDom, /Ethan Pellow/);
    assert.match(coachDom, /Medical reason/);
    assert.match(coachDom, /PRE/);
    assert.match(coachNet, /AVAILABILITY_UNAVAILABLE/);
    assert.deepEqual(found(coachDom), [], "clinical words in the coach's DOM");
    assert.deepEqual(found(coachNet), [], "clinical words in the coach's network responses");
    const called = [...new Set(coach.record.responses.map((r) => r.method))];
    assert.deepEqual(called.filter((m) => !COACH_METHODS.has(m)), [], `coach called ${called.join(", ")}`);
    assert.deepEqual(coach.record.problems, []);

    const physio = await newPage(browser);
    await signIn(physio.page, server.base, server.tokens.physio, "#/board");
    await physio.page.locator("li.player").nth(49).waitFor();
    await physio.page.waitForTimeout(500);
    const physioDom = await domText(physio.page);
    const physioNet = await networkText(physio.page, physio.record);
    assert.deepEqual(found(physioDom).sort(), [...CLINICAL].sort(), "the physio's board lacks words the test looks for");
    assert.ok(found(physioNet).length >= CLINICAL.length - 1, `physio network: ${found(physioNet)}`);
    assert.deepEqual(physio.record.problems, []);
  });
});
