// The console plays a task's live stream while it renders (hls.js over Media Source Extensions
// in Debian's Chromium), then the finished MP4; it lists what the prompt applied.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { dataPath, launchBrowser, pictureDetail, screenshot, startServer, waitUntil, wavSeconds } from './harness.mjs';

const FACE = dataPath('faces/02_grace_hopper.jpg');
const RENDER_TIMEOUT_MS = 360000;

let server;
let browser;
let workDir;
let voice;

before(async () => {
  // A 30 s voice: the 7 s LibriVox clip looped, as 16 kHz mono WAV.
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dh-stream-e2e-'));
  voice = path.join(workDir, 'voice-30s.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '4', '-i',
                          dataPath('speech/en_m_librivox_0870.wav'), '-t', '30', '-ac', '1',
                          '-ar', '16000', voice]);
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});


async function getTask(path) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    headers: { Authorization: `Bearer ${server.apiKey}`, Connection: 'close' },
  });
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  return body.data !== undefined ? body.data : body;  // Kling's envelope; unified has none
}

// The <video>'s state (run in the page).
function videoFields() {
  const v = document.getElementById('video');
  const quality = v.getVideoPlaybackQuality();
  return {
    src: v.currentSrc,
    time: v.currentTime,
    duration: v.duration,
    paused: v.paused,
    ended: v.ended,
    width: v.videoWidth,
    height: v.videoHeight,
    decodedFrames: quality.totalVideoFrames,
    resultState: document.getElementById('result').dataset.state,
  };
}

// ... and whether its current picture has detail (not one flat colour).
async function videoState(page) {
  return { ...(await page.evaluate(videoFields)), detail: await page.evaluate(pictureDetail, 'video') };
}

test('the console plays the stream while the task renders, then the finished MP4', { timeout: RENDER_TIMEOUT_MS + 120000 }, async () => {
  const voiceSeconds = wavSeconds(voice);
  assert.ok(Math.abs(voiceSeconds - 30) < 0.01, `voice lasts ${voiceSeconds} s`);
  const page = await browser.context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  await page.goto(server.baseUrl, { waitUntil: 'load' });
  // This Chromium claims H.264 and AAC in fragmented MP4 through Media Source Extensions; the
  // decoded frames below show that it really decodes them.
  const codecs = await page.evaluate(() => ({
    mse: typeof MediaSource === 'function' &&
         MediaSource.isTypeSupported('video/mp4; codecs="avc1.64001f,mp4a.40.2"'),
  }));
  assert.deepEqual(codecs, { mse: true });

  await page.fill('#api-key', server.apiKey);
  await page.press('#api-key', 'Enter');
  await page.waitForSelector('#account:not([hidden])');
  await page.setInputFiles('#image', FACE);
  await waitUntil(page, () => /68 landmarks/.test(document.getElementById('image-status').textContent));
  await page.setInputFiles('#audio', voice);
  await waitUntil(page, () => /Recording uploaded: 30\.0 s/.test(document.getElementById('audio-status').textContent));
  await page.fill('#prompt', 'calm news anchor, slight smile');
  await page.click('#submit');

  // The stream plays through hls.js (a MediaSource blob URL) while the task is processing.
  await Promise.race([waitUntil(page, () => {
    const v = document.getElementById('video');
    return document.getElementById('result').dataset.state !== undefined && v.currentTime > 0.2;
  }, { timeout: RENDER_TIMEOUT_MS }), server.died]);
  const first = await videoState(page);
  await new Promise((r) => setTimeout(r, 300));
  const second = await videoState(page);
  const [task] = await getTask('/v1/videos/avatar/image2video?pageNum=1&pageSize=1');
  const job = await getTask(`/v1/video/generations/${task.task_id}`);
  assert.equal(task.task_status, 'processing', 'the task still renders while the stream plays');
  assert.equal(first.resultState, 'live');
  assert.match(first.src, /^blob:/, 'played through Media Source Extensions');
  assert.ok(second.time > first.time + 0.1,
            `currentTime advances while processing: ${first.time} s, then ${second.time} s`);
  assert.ok(second.decodedFrames > 0, `frames decoded (${second.decodedFrames})`);
  assert.deepEqual([second.width, second.height], [720, 844]);
  assert.ok(second.detail > 60, `the picture has detail (luma range ${second.detail})`);
  assert.match(job.stream_url, /\/media\/streams\/[0-9a-f]{32}\/index\.m3u8$/);
  assert.equal(job.status, 'processing');
  await screenshot(page, 'live');
  // What the prompt applied, as the API reports it.
  const applied = await page.$$eval('#prompt-applied li', (items) => items.map((i) => i.textContent));
  assert.deepEqual(applied, task.task_info.prompt_applied);
  assert.deepEqual(applied, ['energy:calm', 'expression:smile(0.25)']);

  // Once the task succeeds, the player goes on from where it was with the finished file.
  await Promise.race([page.waitForSelector('#result[data-state="done"]', { timeout: RENDER_TIMEOUT_MS }),
                      server.died]);
  const done = await getTask(`/v1/videos/avatar/image2video/${task.task_id}`);
  assert.equal(done.task_status, 'succeed');
  const fileUrl = done.task_result.videos[0].url;
  await waitUntil(page, () => {
    const v = document.getElementById('video');
    return /\.mp4$/.test(v.currentSrc) && v.readyState >= 2 && !v.paused;
  });
  const switched = await videoState(page);
  assert.equal(new URL(switched.src).pathname, new URL(fileUrl).pathname);
  assert.ok(Math.abs(switched.duration - voiceSeconds) <= 0.1,
            `the file lasts ${switched.duration} s, the voice ${voiceSeconds} s`);
  assert.ok(switched.time >= second.time, `continued at ${switched.time} s, not from the start`);
  assert.equal(await page.isVisible('#download'), true);
  assert.deepEqual(await page.$$eval('#prompt-applied li', (items) => items.map((i) => i.textContent)),
                   ['energy:calm', 'expression:smile(0.25)']);
  // It plays to the end of the finished file.
  await waitUntil(page, () => document.getElementById('video').ended, { timeout: 60000, interval: 500 });
  const end = await videoState(page);
  assert.equal(new URL(end.src).pathname, new URL(fileUrl).pathname);
  assert.ok(Math.abs(end.time - voiceSeconds) <= 0.1, `ended at ${end.time} s`);
  await screenshot(page, 'stream-finished');
  assert.deepEqual(problems, []);
  await page.close();
});
