// The console's HTTP routes of a real `dh serve`, called directly: the embedded files, the face
// analysis and the account endpoint.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { dataPath, repoRoot, startServer } from './harness.mjs';

let server;

before(async () => {
  server = await startServer({ balance: 12.5 });
});

after(async () => {
  if (server) await server.stop();
});

// Connection: close keeps no idle connection that would delay the server's shutdown.
async function call(method, route, { key = server.apiKey, body, type } = {}) {
  const headers = { Connection: 'close' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (type) headers['Content-Type'] = type;
  const response = await fetch(`${server.baseUrl}${route}`, { method, headers, body });
  return { response, text: await response.text() };
}

test('the page and its files are served from the binary, byte for byte', async () => {
  const page = await call('GET', '/', { key: null });
  assert.equal(page.response.status, 200);
  assert.match(page.response.headers.get('content-type'), /^text\/html/);
  assert.match(page.response.headers.get('content-security-policy'), /default-src 'self'/);
  assert.equal(page.text, fs.readFileSync(path.join(repoRoot, 'web/console/index.html'), 'utf8'));
  // The player is hls.js from the npm package locked in web/console (light build, its licence).
  const hls = path.join(repoRoot, 'web/console/node_modules/hls.js');
  for (const [name, type, source] of [
    ['console.js', /^text\/javascript/, 'web/console/console.js'],
    ['player.js', /^text\/javascript/, 'web/console/player.js'],
    ['console.css', /^text\/css/, 'web/console/console.css'],
    ['favicon.svg', /^image\/svg\+xml/, 'web/console/favicon.svg'],
    ['hls.js', /^text\/javascript/, path.join(hls, 'dist/hls.light.min.js')],
    ['hls-license.txt', /^text\/plain/, path.join(hls, 'LICENSE')],
  ]) {
    const file = await call('GET', `/console/${name}`, { key: null });
    assert.equal(file.response.status, 200, name);
    assert.match(file.response.headers.get('content-type'), type, name);
    assert.equal(file.text, fs.readFileSync(path.resolve(repoRoot, source), 'utf8'), name);
  }
  const missing = await call('GET', '/console/nothing.js', { key: null });
  assert.equal(missing.response.status, 404);
  assert.equal(JSON.parse(missing.text).code, 1203);
});

test('face analysis returns the box and 68 landmarks of a portrait', async () => {
  const { response, text } = await call('POST', '/v1/console/analyze-face', {
    body: fs.readFileSync(dataPath('faces/02_grace_hopper.jpg')), type: 'image/jpeg',
  });
  assert.equal(response.status, 200, text);
  const body = JSON.parse(text);
  assert.equal(body.code, 0);
  const a = body.data;
  assert.deepEqual([a.width, a.height, a.faces_found], [512, 600, 1]);
  assert.equal(a.landmarks.length, 68);
  const { x, y, width, height } = a.box;
  assert.ok(width > 100 && width < 400 && x > 0 && y > 0 && x + width < 512 && y + height < 600,
            `box ${JSON.stringify(a.box)}`);
  // iBUG order: eyes (36-47) above the nose tip (30) above the mouth (48-67), all near the box.
  const meanY = (from, to) => a.landmarks.slice(from, to + 1).reduce((s, p) => s + p[1], 0) / (to - from + 1);
  assert.ok(meanY(36, 47) < a.landmarks[30][1] && a.landmarks[30][1] < meanY(48, 67));
  for (const [px, py] of a.landmarks) {
    assert.ok(px > x - width * 0.25 && px < x + width * 1.25 && py > y - height * 0.25 &&
              py < y + height * 1.25, `landmark ${px},${py} near the box`);
  }
});

test('face analysis refuses a photo without a face, an empty body and a missing key', async () => {
  const cat = await call('POST', '/v1/console/analyze-face', {
    body: fs.readFileSync(dataPath('negatives/noface_cat_chelsea.png')), type: 'image/png',
  });
  assert.equal(cat.response.status, 400);
  const refused = JSON.parse(cat.text);
  assert.equal(refused.code, 1301);
  assert.match(refused.message, /no face/);
  assert.ok(refused.request_id);

  const empty = await call('POST', '/v1/console/analyze-face', { body: '', type: 'image/png' });
  assert.equal(empty.response.status, 400);
  assert.equal(JSON.parse(empty.text).code, 1201);

  const anonymous = await call('POST', '/v1/console/analyze-face', {
    key: null, body: fs.readFileSync(dataPath('faces/02_grace_hopper.jpg')), type: 'image/jpeg',
  });
  assert.equal(anonymous.response.status, 401);
  assert.equal(JSON.parse(anonymous.text).code, 1001);
});

test('the account endpoint reports the key\'s balance and the rates', async () => {
  const { response, text } = await call('GET', '/v1/console/account');
  assert.equal(response.status, 200);
  const a = JSON.parse(text).data;
  assert.equal(a.name, 'e2e');
  assert.equal(a.balance, 12.5);
  assert.deepEqual(a.rates, { std: 0.4, pro: 0.8 });
  const wrong = await call('GET', '/v1/console/account', { key: 'sk-wrong' });
  assert.equal(wrong.response.status, 401);
});
