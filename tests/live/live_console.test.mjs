// The console's Live card in Debian's Chromium against a real `dh serve`: a portrait becomes a
// live session played through Media Source Extensions; the video's time advances while it
// listens and while it says what was typed. Uses the console tests' harness (tests/e2e).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { dataPath, launchBrowser, screenshot, startServer } from '../e2e/harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

async function waitUntil(page, predicate, arg, timeout = 30000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(predicate, arg)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms: ${predicate}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The live <video>'s time, and whether its picture has detail (not black, not one colour).
function liveVideo() {
  const v = document.getElementById('live-video');
  let detail = 0;
  if (v.videoWidth > 0 && v.readyState >= 2) {
    const c = document.createElement('canvas');
    c.width = 64;
    c.height = 64;
    const g = c.getContext('2d');
    g.drawImage(v, 0, 0, 64, 64);
    const px = g.getImageData(0, 0, 64, 64).data;
    let min = 255;
    let max = 0;
    for (let i = 0; i < px.length; i += 4) {
      min = Math.min(min, px[i + 1]);
      max = Math.max(max, px[i + 1]);
    }
    detail = max - min;
  }
  return { time: v.currentTime, paused: v.paused, width: v.videoWidth, detail,
           status: document.getElementById('live-status').textContent };
}

test('the Live card plays a session and speaks typed text', async () => {
  const page = await browser.context.newPage();
  await page.goto(server.baseUrl + '/');
  await page.fill('#api-key', server.apiKey);
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
  }, null, 60000);
  const listening = await page.evaluate(liveVideo);
  assert.ok(listening.width > 0, JSON.stringify(listening));
  assert.ok(listening.detail > 40, `a flat picture: ${JSON.stringify(listening)}`);

  await page.fill('#live-text', 'Hello from the live card. This is the browser speaking.');
  await page.click('#live-say');
  await waitUntil(page, () => document.getElementById('live-status').textContent === 'Speaking…',
                  null, 20000);
  const speaking = await page.evaluate(liveVideo);
  await new Promise((r) => setTimeout(r, 1500));
  const later = await page.evaluate(liveVideo);
  assert.ok(later.time - speaking.time > 1.0,
            `the video did not advance while speaking: ${JSON.stringify([speaking, later])}`);
  await screenshot(page, 'live-speaking');
  await waitUntil(page, () => document.getElementById('live-status').textContent === 'Listening.',
                  null, 30000);
  const done = await page.evaluate(liveVideo);
  assert.ok(done.time > later.time, JSON.stringify([later, done]));
  await page.click('#live-stop');
  await page.close();
});
