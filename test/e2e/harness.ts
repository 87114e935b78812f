/**
 * End-to-end harness: the real county server (npm start's entry) on a free port with a fresh
 * DATA_DIR, and Debian's Chromium driven by playwright-core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { PROTOCOL_VERSION, type PulledRecord } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { ROOT } from '../helpers.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = join(ROOT, 'test-results', 'screens');

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export interface Server {
  url: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** The server on a fresh DATA_DIR; with `demoMembers`, seeded with the demo county and its accounts. */
export async function startServer(opts: { port?: number; dataDir?: string; distDir?: string; demoMembers?: number } = {}): Promise<Server> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'cunyi-e2e-'));
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      CUNYI_DEMO: opts.demoMembers ? '1' : (process.env.CUNYI_DEMO ?? '0'),
      ...(opts.demoMembers ? { CUNYI_DEMO_MEMBERS: String(opts.demoMembers) } : {}),
      PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, ...(opts.distDir ? { DIST_DIR: opts.distDir } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  proc.stdout!.on('data', (d) => (log += d));
  proc.stderr!.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited: ${log}`);
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port,
    dataDir,
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--lang=zh-CN'],
  });
}

export async function tabletContext(browser: Browser, landscape = false): Promise<BrowserContext> {
  return browser.newContext({
    viewport: landscape ? { width: 1280, height: 800 } : { width: 800, height: 1280 },
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    serviceWorkers: 'allow',
  });
}

/** Waits until the service worker is installed, its precache filled, and it controls the page. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) {
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
  }
}

export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** Elements a finger must hit that are smaller than 44 px in either direction (visible ones only). */
export async function smallTouchTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('button, select, input, .row-link, .nav a, .button')) {
      // A checkbox is hit through its label, which is the target to measure.
      const target = el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio') ? (el.closest('label') ?? el) : el;
      const r = target.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (r.height < 44 || r.width < 44) out.push(`${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 20)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
    return out;
  });
}

/** The PIN the tests choose for every account profile. */
export const PIN = '205813';

/** Types a PIN on the pad's field (six digits: the pad acts on the sixth). */
export async function typePin(page: Page, pin = PIN): Promise<void> {
  await page.getByTestId('pin-input').last().fill(pin);
}

/**
 * Signs in through the app's sign-in page with a demo account: on a tablet with other profiles,
 * through the picker's "another account"; a first sign-in of the account chooses its PIN. Waits
 * for the village list.
 */
export async function signIn(page: Page, url: string, username: string, password = 'cunyi-demo', pin = PIN): Promise<void> {
  await page.goto(`${url}/login`);
  const picker = page.getByTestId('picker-login');
  const lock = page.getByTestId('lock-switch');
  await Promise.race([page.locator('#username').waitFor(), picker.waitFor(), lock.waitFor()]);
  if (await lock.isVisible()) await lock.click();
  if (await picker.isVisible()) await picker.click();
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.getByTestId('login').click();
  const setup = page.getByTestId('pin-setup');
  await Promise.race([setup.waitFor({ timeout: 60_000 }), page.waitForURL(/\/(villages|review)$/, { timeout: 60_000 })]);
  if (await setup.isVisible()) {
    await typePin(page, pin);
    await page.getByText('再输入一次 PIN').waitFor();
    await typePin(page, pin);
  }
  await page.waitForURL(/\/(villages|review)$/, { timeout: 60_000 });
  await page.getByTestId('account-bar').waitFor();
}

/** After a reload or a restart: the PIN of the account profile that was open. */
export async function unlock(page: Page, pin = PIN): Promise<void> {
  await page.getByTestId('pin-unlock').waitFor({ timeout: 30_000 });
  await typePin(page, pin);
  await page.getByTestId('account-bar').waitFor({ timeout: 30_000 });
}

/** Waits for two animation frames, so a layout change (a new viewport size) is painted. */
async function painted(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

/**
 * The screen at tablet size (800×1280) and at phone size (412×915), as `<name>-800x1280.png` and
 * `<name>-412x915.png`; with `show`, scrolled so that element is in view at each size.
 */
export async function shotSizes(page: Page, name: string, show?: Locator): Promise<string[]> {
  const before = page.viewportSize();
  const out: string[] = [];
  for (const [width, height] of [
    [800, 1280],
    [412, 915],
  ] as const) {
    await page.setViewportSize({ width, height });
    await painted(page);
    if (show) {
      await show.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await painted(page);
    }
    out.push(await shot(page, `${name}-${width}x${height}`));
  }
  if (before) await page.setViewportSize(before);
  return out;
}

/**
 * Chromium with a profile directory that outlives it (IndexedDB, localStorage), as on a tablet.
 * Close it with `context.close()`, or kill it with `killBrowser(dir)` like a dead battery would.
 */
export async function launchPersistent(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--lang=zh-CN'],
    viewport: { width: 800, height: 1280 },
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    serviceWorkers: 'allow',
  });
}

/** The process id of the Chromium that holds a profile directory (its SingletonLock names it: "host-pid"). */
export function browserPid(userDataDir: string): number {
  const target = readlinkSync(join(userDataDir, 'SingletonLock'));
  const pid = Number(target.slice(target.lastIndexOf('-') + 1));
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no browser process in ${userDataDir}: SingletonLock → ${target}`);
  return pid;
}

/** SIGKILLs the browser of a persistent context (no shutdown, nothing flushed) and waits until it is gone. */
export async function killBrowser(context: BrowserContext, userDataDir: string): Promise<void> {
  const pid = browserPid(userDataDir);
  const closed = new Promise<void>((resolve) => context.once('close', () => resolve()));
  process.kill(pid, 'SIGKILL');
  await closed;
  // The profile lock is released only by a clean exit; the next start takes it over from a dead pid.
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`browser ${pid} still running after SIGKILL`);
}

/** Whatever the app shows after a load: the PIN of the open account profile is given if asked. */
export async function unlockIfAsked(page: Page, pin = PIN): Promise<void> {
  const pad = page.getByTestId('pin-unlock');
  const app = page.locator('header.topbar');
  await Promise.race([pad.waitFor({ timeout: 30_000 }), app.waitFor({ timeout: 30_000 })]);
  if (await pad.isVisible()) {
    await typePin(page, pin);
    await app.waitFor({ timeout: 30_000 });
  }
}

/** A full load of an address of the app (like typing it, or a restart), through the PIN if asked. */
export async function gotoApp(page: Page, url: string, pin = PIN): Promise<void> {
  await page.goto(url);
  await unlockIfAsked(page, pin);
}

/** A reload, through the PIN if asked. */
export async function reloadApp(page: Page, pin = PIN): Promise<void> {
  await page.reload();
  await unlockIfAsked(page, pin);
}

/** The headers of the sync protocol, for requests a test makes to the county directly. */
export const API_HEADERS = { 'x-cunyi-protocol': String(PROTOCOL_VERSION), 'content-type': 'application/json' };

/** A session of the demo county reviewer on a device of its own, for reading what the county holds. */
export async function countyToken(url: string): Promise<string> {
  const login = await (await fetch(`${url}/api/login`, { method: 'POST', headers: API_HEADERS, body: JSON.stringify({ username: 'county', password: 'cunyi-demo', deviceId: ulid() }) })).json();
  return login.token as string;
}

/** Every record the county holds, as the county reviewer pulls them. */
export async function countyRecords(url: string): Promise<PulledRecord[]> {
  const token = await countyToken(url);
  const out: PulledRecord[] = [];
  let since = 0;
  for (;;) {
    const r = await (await fetch(`${url}/api/sync/pull?since=${since}&limit=5000`, { headers: { ...API_HEADERS, authorization: `Bearer ${token}` } })).json();
    out.push(...r.records);
    since = r.checkpoint;
    if (r.remaining === 0) return out;
  }
}

/** A photo as the camera would give it: a JPEG drawn in the page, with some detail so it compresses like one. */
export async function photoBytes(page: Page, label: string, w = 2400, h = 1800): Promise<Buffer> {
  const b64 = await page.evaluate(
    ({ label, w, h }) => {
      const c = document.createElement('canvas');
      c.width = w;
      c.height = h;
      const ctx = c.getContext('2d')!;
      ctx.fillStyle = '#f4efe4';
      ctx.fillRect(0, 0, w, h);
      for (let i = 0; i < 60; i++) {
        ctx.fillStyle = `hsl(${(i * 37) % 360} 40% 60%)`;
        ctx.fillRect((i * 97) % w, (i * 53) % h, 180, 40);
      }
      ctx.fillStyle = '#222';
      ctx.font = '160px sans-serif';
      ctx.fillText(label, 120, h / 2);
      return c.toDataURL('image/jpeg', 0.92).split(',')[1]!;
    },
    { label, w, h },
  );
  return Buffer.from(b64, 'base64');
}
