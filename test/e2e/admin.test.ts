/**
 * The county's administration in the browser, as the demo administrator: a new account with its
 * villages ticked on the county's townships (never typed), its sign-in, disabling it (asked first),
 * revoking a tablet (asked first: every session on it ends), and the audit listing each; offline,
 * the screens say so plainly. Screenshots at 800×1280 and 412×915.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCounty } from '../../src/model/demo/index.ts';
import { ulid } from '../../src/model/ulid.ts';
import { API_HEADERS, chromiumAvailable, gotoApp, launch, shotSizes, signIn, smallTouchTargets, startServer, tabletContext, waitForServiceWorker, type Server } from './harness.ts';

const PASSWORD = 'maple-leaves-in-autumn';
// The demo county the server made (src/server/demo.ts: seed 1), its villages by code.
const demo = generateCounty({ seed: 1, members: 600 });
const villages = [...demo.villages].sort((a, b) => a.code.localeCompare(b.code));
const [first, second] = [villages[0]!, villages[1]!];

async function login(url: string, username: string, password: string, deviceId = ulid()): Promise<{ token: string; deviceId: string }> {
  const r = await fetch(`${url}/api/login`, { method: 'POST', headers: API_HEADERS, body: JSON.stringify({ username, password, deviceId, deviceName: 'tablet' }) });
  expect(r.status, await r.clone().text()).toBe(200);
  return { token: ((await r.json()) as { token: string }).token, deviceId };
}
const me = async (url: string, token: string) => fetch(`${url}/api/me`, { headers: { ...API_HEADERS, authorization: `Bearer ${token}` } });

describe.skipIf(!chromiumAvailable() && !process.env.CI)('the administration screens in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await startServer({ demoMembers: 600 });
    browser = await launch();
    ctx = await tabletContext(browser);
    page = await ctx.newPage();
    await page.goto(`${server.url}/welcome`);
    await waitForServiceWorker(page);
    await signIn(page, server.url, 'admin');
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('creates an account with villages ticked, disables it, revokes a tablet, and shows each in the audit', async () => {
    await page.getByTestId('nav-admin').click();
    const list = page.getByTestId('admin-user-list');
    await list.waitFor();
    expect(await page.getByTestId('admin-user-row').count()).toBe(5);
    expect(await list.textContent()).toContain(first.name);
    await shotSizes(page, 'admin-users');
    expect(await smallTouchTargets(page)).toEqual([]);

    // A new account: the villages are ticked on their township, never typed.
    await page.getByTestId('admin-new-user').click();
    await page.getByTestId('new-username').fill('zhaoyi');
    await page.getByTestId('new-display-name').fill('赵一');
    await page.getByTestId('new-role').selectOption('village-doctor');
    await page.getByTestId('new-phone').fill('138 0000 1234');
    await page.getByTestId('new-password').fill(PASSWORD);
    await page.getByTestId('new-password2').fill('not-the-same-password');
    const town = page.getByTestId('area-township').filter({ hasText: first.townshipName });
    await town.locator('summary').click();
    await page.getByTestId(`area-${first.code}`).check();
    await page.getByTestId(`area-${second.code}`).check();
    expect(await page.getByTestId('area-chosen').textContent()).toContain(first.name);
    await page.getByTestId('admin-create').click();
    await page.getByTestId('error-password2').waitFor();
    await page.getByTestId('new-password2').fill(PASSWORD);
    await shotSizes(page, 'admin-new-user', page.getByTestId('area-picker'));
    expect(await smallTouchTargets(page)).toEqual([]);
    await page.getByTestId('admin-create').click();
    const user = page.locator('[data-testid="admin-user"][data-username="zhaoyi"]');
    await user.waitFor();
    await page.getByTestId('admin-created').waitFor();
    expect(await user.textContent()).toContain(`${first.townshipName} ${first.name}`);
    expect(await user.textContent()).toContain('13800001234');
    await shotSizes(page, 'admin-user');
    expect(await smallTouchTargets(page)).toEqual([]);
    // A phone changed on its card.
    await page.getByTestId('admin-phone').fill('139 0000 5678');
    await page.getByTestId('admin-save-phone').click();
    await page.getByTestId('card-phone-saved').waitFor();
    expect(await user.textContent()).toContain('13900005678');
    await shotSizes(page, 'admin-user-cards', page.getByTestId('card-password'));

    // The account signs in on a tablet; disabling it is asked first, and ends that session at once.
    const zhaoyi = await login(server.url, 'zhaoyi', PASSWORD);
    expect((await me(server.url, zhaoyi.token)).status).toBe(200);
    await page.getByTestId('admin-disable').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('赵一');
    await shotSizes(page, 'admin-disable-confirm');
    await dialog.getByTestId('confirm-no').click();
    await dialog.waitFor({ state: 'detached' });
    expect((await me(server.url, zhaoyi.token)).status).toBe(200);
    await page.getByTestId('admin-disable').click();
    await page.getByTestId('confirm-yes').click();
    await page.locator('[data-testid="admin-user"][data-disabled="yes"]').waitFor();
    const off = await me(server.url, zhaoyi.token);
    expect(off.status).toBe(403);
    expect(((await off.json()) as { error: { code: string } }).error.code).toBe('user-disabled');

    // A tablet the doctor and the cadre use, revoked (asked first): both sessions end.
    const doctor = await login(server.url, 'doctor', 'cunyi-demo');
    const cadre = await login(server.url, 'cadre', 'cunyi-demo', doctor.deviceId);
    await page.getByTestId('admin-tab-devices').click();
    const row = page.locator(`[data-testid="device-row"][data-device="${doctor.deviceId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('王建国');
    expect(await row.textContent()).toContain('李桂兰');
    await shotSizes(page, 'admin-devices');
    expect(await smallTouchTargets(page)).toEqual([]);
    await row.getByTestId('device-revoke').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await shotSizes(page, 'admin-revoke-confirm');
    await page.getByTestId('confirm-yes').click();
    await row.getByTestId('device-revoked').waitFor();
    expect(await row.getByTestId('device-revoke').count()).toBe(0);
    for (const s of [doctor, cadre]) {
      const r = await me(server.url, s.token);
      expect(r.status).toBe(403);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('device-revoked');
    }

    // The audit: each change, newest first, by whom.
    await page.getByTestId('admin-tab-audit').click();
    await page.getByTestId('audit-list').waitFor();
    const rows = page.getByTestId('audit-row');
    expect(await rows.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-action')} ${e.getAttribute('data-target')}`))).toEqual([`revoke-device ${doctor.deviceId}`, 'disable-user zhaoyi', 'set-phone zhaoyi', 'create-user zhaoyi']);
    const text = (await page.getByTestId('audit-list').textContent()) ?? '';
    expect(text).toContain('停用设备');
    expect(text).toContain('新建用户');
    expect(text).toContain(first.name);
    expect(text).toContain('admin（管理员）');
    expect(text).not.toContain('13800001234');
    expect(text).not.toContain('13900005678');
    await shotSizes(page, 'admin-audit');
  }, 180_000);

  it('says plainly, offline, that the screens need a connection, and loads once it is back', async () => {
    await ctx.setOffline(true);
    await gotoApp(page, `${server.url}/admin/devices`);
    await page.getByTestId('admin-offline').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('admin-offline').textContent()).toContain('需要联网');
    await shotSizes(page, 'admin-offline');
    // Back online, the screen loads by itself (重试 does the same by hand).
    await ctx.setOffline(false);
    await page.getByTestId('device-list').waitFor();
    expect(await page.getByTestId('admin-offline').count()).toBe(0);
  }, 120_000);
});
