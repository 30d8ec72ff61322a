// Shared pieces of the console's end-to-end tests: a real `dh serve` on a free port with its own
// store and media directory, an API key made with `dh keys create`, and Debian's Chromium driven
// by playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const dataPath = (relative) => path.join(repoRoot, 'tests', 'data', relative);

// The dh binary: DH_BINARY (set by ctest), else the default build directory.
export function dhBinary() {
  const candidates = [process.env.DH_BINARY, path.join(repoRoot, 'build', 'src', 'cli', 'dh')];
  const found = candidates.find((c) => c && fs.existsSync(c));
  if (!found) throw new Error('dh binary not found: set DH_BINARY to the built src/cli/dh');
  return found;
}

// Duration in seconds of a PCM WAV file, from its fmt and data chunks.
export function wavSeconds(file) {
  const bytes = fs.readFileSync(file);
  if (bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${file} is not a RIFF/WAVE file`);
  }
  let byteRate = 0;
  let dataBytes = 0;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = bytes.toString('ascii', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    if (id === 'fmt ') byteRate = bytes.readUInt32LE(at + 16);
    if (id === 'data') dataBytes = Math.min(size, bytes.length - at - 8);
    at += 8 + size + (size % 2);
  }
  if (!byteRate || !dataBytes) throw new Error(`${file}: no fmt or data chunk`);
  return dataBytes / byteRate;
}

// Starts `dh serve` on a free loopback port with a fresh store; returns {baseUrl, apiKey, stop}.
export async function startServer({ balance = 100 } = {}) {
  const dh = dhBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dh-console-e2e-'));
  const db = path.join(dir, 'dh.sqlite');
  const made = JSON.parse(execFileSync(dh, ['keys', '--db', db, 'create', '--name', 'e2e',
                                            '--balance', String(balance), '--json'],
                                       { encoding: 'utf8' }));
  // Run in the temporary directory with core files allowed, so a crash leaves evidence there.
  const server = spawn('/bin/sh', ['-c', 'ulimit -c unlimited 2>/dev/null; exec "$0" "$@"', dh,
                                    'serve', '--host', '127.0.0.1', '--port', '0', '--db', db,
                                    '--media-dir', path.join(dir, 'media'), '--workers', '1',
                                    '--log-level', 'info'],
                       { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let stopping = false;
  let crashed = false;
  server.stderr.on('data', (chunk) => { log += chunk; });
  // Rejects when the server exits before stop(): tests race their long waits against it.
  const died = new Promise((resolve, reject) => {
    server.on('exit', (code, signal) => {
      if (stopping) return resolve();
      crashed = true;
      process.stderr.write(`dh serve exited unexpectedly (${code ?? signal}); its directory ` +
                           `${dir} is kept:\n${log}\n`);
      reject(new Error(`dh serve exited unexpectedly (${code ?? signal})`));
    });
  });
  died.catch(() => {});
  const baseUrl = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`dh serve did not start:\n${out}${log}`)), 20000);
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on (http:\/\/[0-9.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dh serve exited with ${code}:\n${out}${log}`));
    });
  });
  for (let i = 0; i < 100; i++) {
    // Connection: close, so no idle keep-alive connection of this process delays the server's
    // shutdown.
    const ready = await fetch(`${baseUrl}/readyz`, { headers: { Connection: 'close' } })
      .then((r) => r.ok, () => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    baseUrl,
    apiKey: made.api_key,
    log: () => log,
    died,
    async stop() {
      stopping = true;
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGTERM');
        await exited;
      }
      if (!crashed) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Debian's Chromium, headless, with a new empty profile. The flags keep it from reaching out
// to the network on its own (this machine may have none).
export async function launchBrowser() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dh-console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.DH_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Saves a screenshot to DH_CONSOLE_SCREENSHOTS/<name>.png when that variable is set.
export async function screenshot(page, name) {
  const dir = process.env.DH_CONSOLE_SCREENSHOTS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.mouse.move(0, 0);  // no hover highlight in the picture
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

// Polls `predicate` (run in the page, with `arg`) until it returns true. (waitForFunction
// evaluates strings, which the console's Content-Security-Policy rightly forbids.)
export async function waitUntil(page, predicate, { arg, timeout = 30000, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(predicate, arg)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${predicate}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

// Run in the page: the luma range of the <video id=`id`>'s current picture at 64x64 (0 before it
// shows a picture; a flat or black picture gives a small range).
export function pictureDetail(id) {
  const v = document.getElementById(id);
  if (!(v.videoWidth > 0 && v.readyState >= 2)) return 0;
  const c = document.createElement('canvas');
  c.width = 64;
  c.height = 64;
  const g = c.getContext('2d');
  g.drawImage(v, 0, 0, 64, 64);
  const d = g.getImageData(0, 0, 64, 64).data;
  let min = 255;
  let max = 0;
  for (let i = 0; i < d.length; i += 4) {
    const y = (d[i] + d[i + 1] + d[i + 2]) / 3;
    min = Math.min(min, y);
    max = Math.max(max, y);
  }
  return max - min;
}

// One `dh serve` and one browser for all the tests of the calling file: started before the first
// test, stopped after the last. Their handles appear on the returned object once started.
export function serverAndBrowserForTheFile() {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startServer();
    env.browser = await launchBrowser();
  });
  after(async () => {
    if (env.browser) await env.browser.close();
    if (env.server) await env.server.stop();
  });
  return env;
}
