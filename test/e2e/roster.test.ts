/**
 * The offline roster in real Chromium: start, load the demo county, search by pinyin initials,
 * add a household while offline, reload offline and find it still there, open deep links offline
 * with the server stopped.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pinyin } from 'pinyin-pro';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launch, shot, smallTouchTargets, startServer, tabletContext, waitForServiceWorker, type Server } from './harness.ts';

describe.skipIf(!chromiumAvailable() && !process.env.CI)('offline roster in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    context = await tabletContext(browser);
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('serves its health and opens on the first-run screen', async () => {
    const health = await (await fetch(`${server.url}/api/health`)).json();
    expect(health).toMatchObject({ status: 'ok', storage: { backend: 'sqlite' } });
    await page.goto(server.url);
    await page.waitForURL('**/welcome');
    await waitForServiceWorker(page);
    await expect(page.getByTestId('demo-mode').isVisible()).resolves.toBe(true);
    await shot(page, 'welcome-800x1280');
  });

  it('loads the demo county into the browser', async () => {
    await page.getByTestId('demo-mode').click();
    await page.waitForURL('**/villages', { timeout: 60_000 });
    await page.getByTestId('village-link').first().waitFor();
    const members = await page.evaluate(() => (window as unknown as { cunyi: { db: () => { members: { count(): Promise<number> } } } }).cunyi.db().members.count());
    expect(members).toBeGreaterThan(9_000);
    await shot(page, 'villages-800x1280');
    expect(await smallTouchTargets(page)).toEqual([]);
  });

  it('finds a person by pinyin initials as you type', async () => {
    const target = await page.evaluate(async () => {
      const d = (window as unknown as { cunyi: { db: () => { members: { offset(n: number): { first(): Promise<{ id: string; name: string; initials: string }> } } } } }).cunyi.db();
      return d.members.offset(321).first();
    });
    await page.getByTestId('search-input').fill(target.initials);
    const hit = page.getByTestId('search-hit').filter({ hasText: target.name }).first();
    await hit.waitFor();
    await shot(page, 'search-initials-800x1280');
    await hit.click();
    await page.waitForURL(`**/members/${target.id}`);
    await expect(page.getByTestId('member-name').textContent()).resolves.toContain(target.name);
    await shot(page, 'member-800x1280');
    expect(await smallTouchTargets(page)).toEqual([]);
  });

  it('finds a person by the given name alone in pinyin', async () => {
    const target = await page.evaluate(async () => {
      const d = (window as unknown as { cunyi: { db: () => { members: { offset(n: number): { first(): Promise<{ id: string; name: string }> } } } } }).cunyi.db();
      return d.members.offset(400).first();
    });
    // What the doctor hears: the given name, read by pinyin-pro here.
    const given = pinyin(target.name, { surname: 'head', toneType: 'none', type: 'array', v: true }).slice(1).join('');
    expect(given.length).toBeGreaterThan(1);
    await page.getByTestId('search-input').fill(given);
    await page.getByTestId('search-hit').filter({ hasText: target.name }).first().waitFor();
  });

  let householdUrl = '';

  it('adds a household while offline and keeps it across an offline reload', async () => {
    await page.goto(`${server.url}/villages`);
    await page.getByTestId('village-link').first().click();
    await page.getByTestId('add-household').waitFor();
    await context.setOffline(true);
    await page.getByTestId('add-household').click();
    await page.locator('#number').fill('8888');
    await page.locator('#address').fill('离线测试组8号');
    await page.locator('#phone').fill('1380013800'); // one digit short
    await page.getByTestId('save').click();
    await page.getByTestId('error-phone').waitFor();
    expect(await page.locator('#address').inputValue()).toBe('离线测试组8号'); // nothing entered is lost
    await shot(page, 'household-form-error-800x1280');
    await page.locator('#phone').fill('13800138000');
    await page.getByTestId('save').click();
    await page.waitForURL(/\/households\/[0-9A-Z]{26}$/);
    householdUrl = new URL(page.url()).pathname;
    await page.getByTestId('add-member').waitFor();
    await page.reload();
    await page.getByText('离线测试组8号').waitFor();
    await shot(page, 'household-offline-800x1280');
  });

  it('adds a member offline: a wrong ID number is named and nothing typed is lost', async () => {
    await page.getByTestId('add-member').click();
    await page.locator('#name').fill('欧阳建国');
    await page.locator('#idNumber').fill('141130195803120014'); // check digit should be 3
    await page.locator('#relation').selectOption('head');
    await page.getByTestId('save').click();
    await page.getByTestId('error-idNumber').waitFor();
    expect(await page.getByTestId('error-idNumber').textContent()).toMatch(/校验/);
    expect(await page.locator('#name').inputValue()).toBe('欧阳建国');
    await shot(page, 'member-form-error-800x1280');
    expect(await smallTouchTargets(page)).toEqual([]);
    await page.locator('#idNumber').fill('141130195803120013');
    expect(await page.locator('#birthDate').inputValue()).toBe('1958-03-12');
    expect(await page.locator('#sex').inputValue()).toBe('M');
    await page.getByTestId('save').click();
    await page.waitForURL(/\/members\/[0-9A-Z]{26}$/);
    expect(await page.getByTestId('member-name').textContent()).toContain('欧阳建国');
    // the new member is found by pinyin initials, computed on the tablet while offline
    await page.getByTestId('search-input').fill('oyjg');
    await page.getByTestId('search-hit').filter({ hasText: '欧阳建国' }).first().waitFor();
    await page.getByTestId('search-input').fill('');
    await page.goto(`${server.url}${householdUrl}`);
    await page.getByTestId('household-title').filter({ hasText: '欧阳建国' }).waitFor();
  });

  it('remembers the chosen language and reads well in landscape', async () => {
    const land = await context.newPage();
    await land.setViewportSize({ width: 1280, height: 800 });
    await land.goto(`${server.url}/settings`);
    await land.getByRole('radio', { name: 'English' }).click();
    await land.reload();
    await land.getByRole('heading', { name: 'Settings' }).waitFor();
    await land.goto(`${server.url}/villages`);
    await land.getByTestId('village-link').first().waitFor();
    await shot(land, 'villages-en-1280x800');
    await land.goto(`${server.url}/settings`);
    await land.getByRole('radio', { name: '简体中文' }).click();
    await land.close();
  });

  it('opens deep links offline with the server stopped', async () => {
    await server.stop();
    const p2 = await context.newPage();
    await p2.goto(`${server.url}${householdUrl}`);
    await p2.getByText('离线测试组8号').waitFor();
    await p2.goto(`${server.url}/households`);
    await p2.getByTestId('household-link').first().waitFor();
    await p2.goto(`${server.url}/settings`);
    await p2.getByTestId('storage-card').waitFor();
    await shot(p2, 'settings-offline-800x1280');
    await p2.close();
  });
});
