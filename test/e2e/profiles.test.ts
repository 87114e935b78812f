/**
 * One tablet, several people: the demo, then a doctor and a cadre each in a profile of their own,
 * sealed at rest and locked by a PIN; idle lock and five wrong PINs (Playwright's clock); a scan of
 * everything the browser stores after a sync and a filing with photos; sign-out offline; a
 * revoked device wiped.
 */
import { spawnSync } from 'node:child_process';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';
import { chromiumAvailable, gotoApp, launch, PIN, shotSizes, signIn, startServer, tabletContext, typePin, unlock, waitForServiceWorker, API_HEADERS, countyRecords as countyRecordsOf, countyToken, type Server } from './harness.ts';

type Win = { cunyi: { db(): import('../../src/client/db/schema.ts').CunyiDb; filings(): Promise<typeof import('../../src/client/db/filings.ts')>; profiles(): Promise<typeof import('../../src/client/profiles/registry.ts')> } };

/** Everything the browser keeps for the origin (every IndexedDB store, localStorage, Cache Storage), as text. */
async function storedText(page: Page): Promise<{ text: string; databases: string[] }> {
  return page.evaluate(async () => {
    const parts: string[] = [];
    const dec = new TextDecoder('latin1');
    const utf = new TextDecoder();
    const walk = async (v: unknown): Promise<void> => {
      if (v instanceof Blob) {
        const b = new Uint8Array(await v.arrayBuffer());
        parts.push(dec.decode(b), utf.decode(b));
      } else if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
        const b = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array((v as ArrayBufferView).buffer);
        parts.push(dec.decode(b), utf.decode(b));
      } else if (Array.isArray(v)) for (const x of v) await walk(x);
      else if (v && typeof v === 'object') for (const x of Object.values(v)) await walk(x);
      else parts.push(String(v));
    };
    const dbs = await indexedDB.databases();
    for (const info of dbs) {
      const idb = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open(info.name!);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      for (const store of idb.objectStoreNames) {
        const rows = await new Promise<unknown[]>((res, rej) => {
          const r = idb.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
        await walk(rows);
      }
      idb.close();
    }
    for (let i = 0; i < localStorage.length; i++) parts.push(localStorage.key(i)!, localStorage.getItem(localStorage.key(i)!)!);
    for (const name of await caches.keys()) {
      const c = await caches.open(name);
      for (const req of await c.keys()) {
        if (req.url.includes('/api/')) parts.push(`API-CACHED ${req.url}`);
        const res = await c.match(req);
        if (res && /json|text/.test(res.headers.get('content-type') ?? '')) parts.push(await res.text());
      }
    }
    return { text: parts.join('\n'), databases: dbs.map((d) => d.name!) };
  });
}

describe.skipIf(!chromiumAvailable() && !process.env.CI)('profiles, PIN lock and encryption at rest in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await startServer({ demoMembers: 600 });
    browser = await launch();
    context = await tabletContext(browser);
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const countyRecords = () => countyRecordsOf(server.url);

  const villages = () => page.getByTestId('village-link').count();

  it('keeps the demo in its own profile when a county account signs in, and says the demo sends nothing', async () => {
    await page.goto(`${server.url}/welcome`);
    await waitForServiceWorker(page);
    await page.evaluate(() => (window as unknown as { cunyi: { loadDemo(o: object): Promise<unknown> } }).cunyi.loadDemo({ members: 200, seed: 3 }));
    await page.goto(`${server.url}/villages`);
    await page.getByTestId('village-link').first().waitFor();
    const demoVillages = await villages();
    await page.getByTestId('demo-bar').getByText('不会上报').waitFor();
    await shotSizes(page, 'demo-bar');
    await page.getByTestId('demo-login').click();
    await page.locator('#username').fill('doctor');
    await page.locator('#password').fill('cunyi-demo');
    await page.getByTestId('login').click();
    await page.getByTestId('pin-setup').waitFor();
    await shotSizes(page, 'pin-setup');
    await typePin(page);
    await typePin(page);
    await page.waitForURL('**/villages', { timeout: 60_000 });
    await page.getByTestId('village-link').first().waitFor();
    expect(await villages()).toBe(2);
    expect(await page.getByTestId('account-who').textContent()).toContain('doctor');
    // Back to the demo: all of it is still there, and no PIN is asked.
    await page.getByTestId('switch-user').click();
    await page.getByTestId('profile-picker').waitFor();
    await shotSizes(page, 'profile-picker');
    await page.getByTestId('picker-demo').click();
    await page.getByTestId('demo-bar').waitFor();
    await page.getByTestId('village-link').first().waitFor();
    expect(await villages()).toBe(demoVillages);
  });

  it('a doctor and a cadre share the tablet: each sees their own villages, and each outbox goes with its own token', async () => {
    await page.getByTestId('switch-user').click();
    await page.getByTestId('picker-login').click();
    await page.locator('#username').fill('cadre');
    await page.locator('#password').fill('cunyi-demo');
    await page.getByTestId('login').click();
    await page.getByTestId('pin-setup').waitFor();
    await typePin(page, '190372');
    await typePin(page, '190372');
    await page.waitForURL('**/villages', { timeout: 60_000 });
    await page.getByTestId('village-link').first().waitFor();
    expect(await villages()).toBe(1);
    // The cadre's edit waits offline in the cadre's outbox.
    const cadreMember = await page.evaluate(async () => (await (window as unknown as Win).cunyi.db().members.orderBy('id').first())!.id);
    await context.setOffline(true);
    await page.goto(`${server.url}/members/${cadreMember}/edit`);
    await unlock(page, '190372');
    await page.locator('#phone').fill('13911112222');
    await page.getByTestId('save').click();
    await page.getByTestId('sync-pending').getByText('待上报 1 条').waitFor({ timeout: 15_000 });
    // Switching to the doctor, online: the doctor's sync sends nothing of the cadre's.
    await page.getByTestId('switch-user').click();
    await page.getByTestId('profile-doctor').click();
    await typePin(page);
    await page.getByTestId('account-bar').waitFor();
    await context.setOffline(false);
    await page.getByTestId('sync-now').click();
    await page.getByTestId('sync-pending').getByText('全部已上报').waitFor({ timeout: 30_000 });
    expect(await page.evaluate(async () => (window as unknown as Win).cunyi.db().outbox.count())).toBe(0);
    let rec = (await countyRecords()).find((r) => r.id === cadreMember)!;
    expect((rec.data as { phone?: string }).phone).not.toBe('13911112222');
    // The cadre's own session sends it.
    await page.getByTestId('switch-user').click();
    await page.getByTestId('profile-cadre').click();
    await typePin(page, '190372');
    await page.getByTestId('sync-now').click();
    await page.getByTestId('sync-pending').getByText('全部已上报').waitFor({ timeout: 30_000 });
    rec = (await countyRecords()).find((r) => r.id === cadreMember)!;
    expect((rec.data as { phone?: string }).phone).toBe('13911112222');
    const token = await countyToken(server.url);
    const history = await (await fetch(`${server.url}/api/records/member/${cadreMember}/history`, { headers: { ...API_HEADERS, authorization: `Bearer ${token}` } })).json();
    expect(JSON.stringify(history)).toContain('cadre');
  });

  it('masks ID numbers in search results, and shows the whole number on the member page on a tap', async () => {
    const m = await page.evaluate(async () => {
      const r = (await (window as unknown as Win).cunyi.db().members.orderBy('id').first())!;
      return { id: r.id, idNumber: r.idNumber, name: r.name };
    });
    await page.getByTestId('search-input').fill(m.idNumber.slice(-4));
    const hit = page.getByTestId('search-hit').filter({ hasText: m.name }).first();
    await hit.waitFor();
    const text = (await hit.textContent()) ?? '';
    expect(text).toContain(`${m.idNumber.slice(0, 6)}********${m.idNumber.slice(-4)}`);
    expect(text).not.toContain(m.idNumber);
    await page.getByTestId('search-input').fill('');
    await page.goto(`${server.url}/members/${m.id}`);
    await unlock(page, '190372');
    expect(await page.getByTestId('masked-id').textContent()).not.toContain(m.idNumber);
    await page.getByTestId('masked-id-toggle').click();
    expect(await page.getByTestId('masked-id').textContent()).toBe(m.idNumber);
  });

  it('locks after 5 minutes idle; five wrong PINs ask for the password, then a new PIN, and nothing is lost', async () => {
    await page.clock.install();
    await gotoApp(page, `${server.url}/villages`, '190372');
    await page.clock.fastForward('04:30');
    expect(await page.getByTestId('lock-overlay').isVisible()).toBe(false);
    await page.clock.fastForward('00:45');
    await page.getByTestId('lock-overlay').waitFor();
    await shotSizes(page, 'pin-lock');
    for (let i = 4; i >= 1; i--) {
      await typePin(page, '000001');
      await page.getByTestId('pin-error').getByText(`还可以试 ${i} 次`).waitFor();
    }
    await typePin(page, '000001');
    await page.getByTestId('pin-too-many').waitFor();
    expect(await page.locator('#username').inputValue()).toBe('cadre');
    await page.locator('#password').fill('cunyi-demo');
    await page.getByTestId('login').click();
    await page.getByTestId('pin-setup').waitFor();
    await typePin(page, '482916');
    await typePin(page, '482916');
    await page.getByTestId('village-link').first().waitFor({ timeout: 60_000 });
    // The phone edited before is still on the tablet.
    expect(await page.evaluate(async () => (await (window as unknown as Win).cunyi.db().members.orderBy('id').first())!.phone)).toBe('13911112222');
    // Back from the background after a while: the PIN again.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.clock.fastForward('00:40');
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.getByTestId('lock-overlay').waitFor();
    await typePin(page, '482916');
    await page.getByTestId('lock-overlay').waitFor({ state: 'detached' });
  });

  it('leaves no ID number, phone, photo or token readable in IndexedDB, localStorage or Cache Storage', async () => {
    // A filing with a photo, sent to the county, then everything the browser holds is read raw.
    await page.getByTestId('switch-user').click();
    await page.getByTestId('profile-doctor').click();
    await typePin(page);
    await page.getByTestId('account-bar').waitFor();
    const facts = await page.evaluate(async () => {
      const api = (window as unknown as Win).cunyi;
      const d = api.db();
      const f = await api.filings();
      const m = (await d.members.orderBy('id').first())!;
      const c = document.createElement('canvas');
      c.width = 320;
      c.height = 240;
      const g = c.getContext('2d')!;
      g.fillStyle = '#c33';
      g.fillRect(0, 0, 320, 240);
      g.fillStyle = '#fff';
      g.fillText('身份证 正面', 20, 40);
      const blob = await new Promise<Blob>((r) => c.toBlob((b) => r(b!), 'image/jpeg', 0.9));
      const filing = await f.createFiling(m.id, 'critical-care-grant', d);
      await f.addPhoto(filing.id, 'id-card', blob, d);
      const bytes = new Uint8Array(await blob.arrayBuffer());
      const session = (await d.meta.get('session'))!.value as { token: string };
      return { idNumber: m.idNumber, phone: m.phone, token: session.token, photoHead: Array.from(bytes.slice(100, 164)) };
    });
    await page.getByTestId('sync-now').click();
    await page.getByTestId('sync-pending').getByText('全部已上报').waitFor({ timeout: 30_000 });
    const { text, databases } = await storedText(page);
    expect(databases.length).toBeGreaterThanOrEqual(4);
    expect(text.match(/\d{17}[\dX]/g) ?? []).toEqual([]);
    expect(text).not.toContain(facts.idNumber);
    if (facts.phone) expect(text).not.toContain(facts.phone);
    expect(text).not.toContain(facts.token);
    expect(text).not.toContain(new TextDecoder('latin1').decode(new Uint8Array(facts.photoHead)));
    expect(text).not.toContain('API-CACHED');
  });

  it('signing out offline lists what would be lost and deletes nothing without a confirmation', async () => {
    const member = await page.evaluate(async () => (await (window as unknown as Win).cunyi.db().members.orderBy('id').offset(1).first())!.id);
    await context.setOffline(true);
    await page.goto(`${server.url}/members/${member}/edit`);
    await unlock(page);
    await page.locator('#phone').fill('13822223333');
    await page.getByTestId('save').click();
    await page.getByTestId('sync-pending').getByText('待上报 1 条').waitFor({ timeout: 15_000 });
    await page.goto(`${server.url}/settings`);
    await unlock(page);
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-out-losses').getByText('1 项修改未上报').waitFor();
    await shotSizes(page, 'sign-out-offline');
    await page.getByRole('button', { name: '取消' }).click();
    expect(await page.evaluate(async () => (await (window as unknown as Win).cunyi.profiles()).listProfiles().then((l) => l.map((p) => p.username)))).toContain('doctor');
    await context.setOffline(false);
    await page.getByTestId('sync-now').click();
    await page.getByTestId('sync-pending').getByText('全部已上报').waitFor({ timeout: 30_000 });
    // The edit reached the county; the filing drafted in the test before never went: it is what is left to lose.
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-out-dialog').waitFor();
    expect(await page.getByTestId('sign-out-losses').textContent()).not.toContain('修改未上报');
    expect(await page.getByTestId('sign-out-losses').textContent()).toContain('1 份代报未提交或未上报');
    await page.getByRole('button', { name: '仍然删除并退出' }).click();
    await page.getByTestId('profile-picker').waitFor();
    const names = await page.evaluate(async () => (await (window as unknown as Win).cunyi.profiles()).listProfiles().then((l) => l.map((p) => p.username)));
    expect(names).not.toContain('doctor');
    expect(names).toContain('cadre');
  });

  it('a device revoked by the county is wiped on the tablet, and the doctor is told why', async () => {
    await page.getByTestId('profile-cadre').click();
    await typePin(page, '482916');
    await page.getByTestId('account-bar').waitFor();
    const device = await page.evaluate(async () => (await (window as unknown as Win).cunyi.profiles()).deviceId());
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', 'revoke-device', '--device', device], { cwd: ROOT, env: { ...process.env, DATA_DIR: server.dataDir }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    await page.getByTestId('sync-now').click();
    await page.getByTestId('wipe-notice').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('wipe-notice').textContent()).toContain('停用这台设备');
    await shotSizes(page, 'wiped');
    const left = await page.evaluate(async () => (await (window as unknown as Win).cunyi.profiles()).listProfiles().then((l) => l.map((p) => p.kind)));
    expect(left).toEqual(['demo']);
    const { databases } = await storedText(page);
    expect(databases.filter((n) => n.startsWith('cunyi-') && n !== 'cunyi-profiles' && n !== 'cunyi-blank')).toHaveLength(1);
    expect(PIN).toHaveLength(6);
  });
});
