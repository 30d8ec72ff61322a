// The console's Live card in Debian's Chromium against a real `dh serve`: a portrait becomes a
// live session played through Media Source Extensions; the video's time advances while it
// listens and while it says what was typed. Uses the console tests' harness (tests/e2e).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dataPath, pictureDetail, screenshot, serverAndBrowserForTheFile, waitUntil } from '../e2e/harness.mjs';

const env = serverAndBrowserForTheFile();

// The live <video>'s time (run in the page).
function liveFields() {
  const v = document.getElementById('live-video');
  return { time: v.currentTime, paused: v.paused, width: v.videoWidth,
           status: document.getElementById('live-status').textContent };
}

// ... and whether its picture has detail (not black, not one colour).
async function liveVideo(page) {
  return { ...(await page.evaluate(liveFields)), detail: await page.evaluate(pictureDetail, 'live-video') };
}

test('the Live card plays a session and speaks typed text', async () => {
  const page = await env.browser.context.newPage();
  await page.goto(env.server.baseUrl + '/');
  await page.fill('#api-key', env.server.apiKey);
  await page.press('#api-key', 'Enter');
  await page.waitForSelector('#live-card');
  await page.setInputFiles('#live-photo', dataPath('faces/02_grace_hopper.jpg'));
  // The voices are listed once the key is in.
  await waitUntil(page, () => document.querySelectorAll('#live-voice option').length > 1);
  await page.selectOption('#live-voice', 'en_us_female');
  await page.click('#live-start');

  // Listening: the picture shows and its time advances.
  await waitUntil(page, () => {
    const v = document.getElementById('live-video');
    return v.currentTime > 0.5 && !v.paused;
  }, { timeout: 60000 });
  const listening = await liveVideo(page);
  assert.ok(listening.width > 0, JSON.stringify(listening));
  assert.ok(listening.detail > 40, `a flat picture: ${JSON.stringify(listening)}`);

  await page.fill('#live-text', 'Hello from the live card. This is the browser speaking.');
  await page.click('#live-say');
  await waitUntil(page, () => document.getElementById('live-status').textContent === 'Speaking…',
                  { timeout: 20000 });
  const speaking = await liveVideo(page);
  await new Promise((r) => setTimeout(r, 1500));
  const later = await liveVideo(page);
  assert.ok(later.time - speaking.time > 1.0,
            `the video did not advance while speaking: ${JSON.stringify([speaking, later])}`);
  await screenshot(page, 'live-speaking');
  await waitUntil(page, () => document.getElementById('live-status').textContent === 'Listening.',
                  { timeout: 30000 });
  const done = await liveVideo(page);
  assert.ok(done.time > later.time, JSON.stringify([later, done]));
  await page.click('#live-stop');
  await page.close();
});
