// The web console driven as a person would: in Debian's Chromium, against a real `dh serve`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';

import { dataPath, screenshot, serverAndBrowserForTheFile, waitUntil, wavSeconds } from './harness.mjs';

const FACE = dataPath('faces/02_grace_hopper.jpg');
const VOICE = dataPath('speech/en_m_librivox_0870.wav');
const CAT = dataPath('negatives/noface_cat_chelsea.png');
const RENDER_TIMEOUT_MS = 360000;

const env = serverAndBrowserForTheFile();


async function openConsole({ width = 1280, height = 900 } = {}) {
  const page = await env.browser.context.newPage();
  await page.setViewportSize({ width, height });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  await page.goto(env.server.baseUrl, { waitUntil: 'load' });
  return { page, problems };
}

async function setKey(page) {
  await page.fill('#api-key', env.server.apiKey);
  await page.press('#api-key', 'Enter');
  await page.waitForSelector('#account:not([hidden])');
  assert.match(await page.textContent('#account'), /^Key “e2e” accepted: balance \d+\.\d\d units\.$/);
}

test('a portrait and a recording become a video of the recording\'s length', { timeout: RENDER_TIMEOUT_MS + 60000 }, async () => {
  const expectedSeconds = wavSeconds(VOICE);
  const { page, problems } = await openConsole();
  await screenshot(page, 'empty');
  await setKey(page);
  assert.match(await page.textContent('#account'), /balance 100\.00 units/);

  await page.setInputFiles('#image', FACE);
  await waitUntil(page, () => /68 landmarks/.test(document.getElementById('image-status').textContent),
                  { timeout: 30000 });
  // The overlay is drawn: the canvas has the photo's size and the box colour appears on it.
  const overlay = await page.evaluate(() => {
    const c = document.getElementById('portrait-canvas');
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let boxPixels = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] < 60 && data[i + 1] > 200 && data[i + 2] > 140 && data[i + 2] < 190) boxPixels++;
    }
    return { width: c.width, height: c.height, boxPixels };
  });
  assert.deepEqual([overlay.width, overlay.height], [512, 600]);
  assert.ok(overlay.boxPixels > 500, `face box drawn (${overlay.boxPixels} pixels of its colour)`);

  await page.setInputFiles('#audio', VOICE);
  await waitUntil(page, () => /Recording uploaded/.test(document.getElementById('audio-status').textContent),
                  { timeout: 30000 });
  assert.match(await page.textContent('#audio-status'), new RegExp(`${expectedSeconds.toFixed(1)} s`));
  assert.match(await page.textContent('#estimate'), /Estimated charge: 2\.8\d units/);
  await page.fill('#prompt', 'calm news anchor');
  await page.click('#submit');

  await page.waitForSelector('#progress-box:not([hidden])');
  await Promise.race([waitUntil(page, () => document.getElementById('progress').value > 5 ||
                                            !document.getElementById('result').hidden,
                                { timeout: RENDER_TIMEOUT_MS }),
                      env.server.died]);
  await screenshot(page, 'running');

  await Promise.race([page.waitForSelector('#result[data-state="done"]', { timeout: RENDER_TIMEOUT_MS }),
                      env.server.died]);
  const duration = await page.evaluate(() => new Promise((resolve, reject) => {
    const v = document.getElementById('video');
    const done = () => resolve(v.duration);
    if (v.readyState >= 1) done();
    v.addEventListener('loadedmetadata', done, { once: true });
    v.addEventListener('error', () => reject(new Error(`video error ${v.error && v.error.code}`)), { once: true });
  }));
  assert.ok(Math.abs(duration - expectedSeconds) <= 0.1,
            `video lasts ${duration} s, the recording ${expectedSeconds} s`);
  const href = await page.getAttribute('#download', 'href');
  assert.match(href, /\/media\/videos\/.+\.mp4$/);
  assert.match(await page.textContent('#result-meta'), /charged 2\.8\d units/);

  // The task list shows the finished task with its length and charge, and the balance dropped.
  await waitUntil(page, () => /Done/.test(document.getElementById('task-rows').textContent));
  const row = await page.textContent('#task-rows tr');
  assert.match(row, new RegExp(`Done${expectedSeconds.toFixed(1)} s2\\.8\\d`));
  await waitUntil(page, () => /balance 97\.1\d units/.test(document.getElementById('account').textContent));
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await screenshot(page, 'finished');

  await page.setViewportSize({ width: 375, height: 812 });
  await screenshot(page, 'phone-finished');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling at 375 px (overflow ${overflow} px)`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a typed text and a preset voice become a video of the speech\'s length', { timeout: RENDER_TIMEOUT_MS + 60000 }, async () => {
  const { page, problems } = await openConsole();
  await setKey(page);
  await page.setInputFiles('#image', dataPath('faces/01_astronaut_eileen_collins.png'));
  await waitUntil(page, () => /68 landmarks/.test(document.getElementById('image-status').textContent));
  await page.check('input[name="voice-source"][value="text"]');
  await page.fill('#text', 'Good morning. This short clip was made from one photo and a line of text.');
  await waitUntil(page, () => document.querySelectorAll('#voice option').length > 1);
  await page.selectOption('#voice', 'en_us_male');
  await page.click('#submit');
  await Promise.race([page.waitForSelector('#result[data-state="done"]', { timeout: RENDER_TIMEOUT_MS }),
                      env.server.died]);
  const speech = Number(/Speech made: ([0-9.]+) s/.exec(await page.textContent('#text-status'))[1]);
  assert.ok(speech > 2, `speech lasts ${speech} s`);
  const duration = await page.evaluate(() => new Promise((resolve, reject) => {
    const v = document.getElementById('video');
    if (v.readyState >= 1) resolve(v.duration);
    v.addEventListener('loadedmetadata', () => resolve(v.duration), { once: true });
    v.addEventListener('error', () => reject(new Error('video error')), { once: true });
  }));
  assert.ok(Math.abs(duration - speech) <= 0.1, `video lasts ${duration} s, the speech ${speech} s`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a photo without a face is refused next to the photo field', { timeout: 60000 }, async () => {
  const { page, problems } = await openConsole();
  // A wrong key is refused beside the key field.
  await page.fill('#api-key', 'sk-not-a-key');
  await page.press('#api-key', 'Enter');
  await page.waitForSelector('#api-key-error:not([hidden])');
  assert.match(await page.textContent('#api-key-error'), /^This API key was not accepted/);
  await setKey(page);
  assert.equal(await page.isHidden('#api-key-error'), true);
  // The photo is dropped on the drop zone, as from a file manager.
  const bytes = fs.readFileSync(CAT).toString('base64');
  await page.evaluate(({ name, data }) => {
    const raw = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([raw], name, { type: 'image/png' }));
    const zone = document.getElementById('image-drop');
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, { name: 'noface_cat_chelsea.png', data: bytes });
  assert.equal(await page.evaluate(() => document.getElementById('image').files[0].name),
               'noface_cat_chelsea.png');
  await page.waitForSelector('#image-error:not([hidden])', { timeout: 30000 });
  const message = await page.textContent('#image-error');
  assert.match(message, /^No face found in the image/);
  assert.equal(await page.getAttribute('#image', 'aria-invalid'), 'true');
  // The message sits inside the photo's field, right under the photo.
  assert.equal(await page.evaluate(() => document.getElementById('image-error').closest('.field').id),
               'image-field');
  // Submitting anyway keeps the reason there and moves focus to the photo field.
  await page.click('#submit');
  assert.match(await page.textContent('#image-error'), /^No face found/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'image');
  await screenshot(page, 'error');
  await page.setViewportSize({ width: 375, height: 812 });
  await screenshot(page, 'phone-error');
  // Only the expected failed analysis request shows in the console log.
  assert.ok(problems.every((p) => /status of (400|401)/.test(p)), problems.join('\n'));
  await page.close();
});

test('the form works with the keyboard alone', { timeout: 60000 }, async () => {
  const { page, problems } = await openConsole();
  // Tab order follows the page: key, its button, photo, voice choice, recording, quality, prompt,
  // submit.
  const order = [];
  for (let i = 0; i < 14; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => {
      const el = document.activeElement;
      return el.id || `${el.name}=${el.value}`;
    }));
  }
  const expected = ['api-key', 'key-button', 'image', 'voice-source=file', 'audio', 'mode=std',
                    'prompt', 'submit', 'refresh'];
  const positions = expected.map((id) => order.indexOf(id));
  assert.ok(positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1])),
            `focus order ${order.join(', ')}`);
  // The focused control is outlined.
  await page.focus('#submit');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.equal(outline, 'solid');

  // Key typed and confirmed with Enter, then the form submitted from the keyboard with nothing
  // chosen: each missing input is named beside its field and focus goes to the first one.
  await page.focus('#api-key');
  await page.keyboard.type(env.server.apiKey);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#account:not([hidden])');
  await page.focus('#submit');
  await page.keyboard.press('Enter');
  assert.equal(await page.textContent('#image-error'), 'Choose a portrait photo.');
  assert.match(await page.textContent('#audio-error'), /^Choose a voice recording/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'image');

  // Switching to text with the arrow keys shows the text box and the voices.
  await page.focus('input[name="voice-source"][value="file"]');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.isVisible('#text'), true);
  assert.equal(await page.isVisible('#audio'), false);
  await waitUntil(page, () => document.querySelectorAll('#voice option').length > 1);
  assert.match(await page.textContent('#voice'), /English/);
  assert.deepEqual(problems, []);
  await page.close();
});
