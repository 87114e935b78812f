/**
 * Sign in, download, go offline, edit, come back online: the county sees the edit exactly once.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launch, shot, startServer, tabletContext, waitForServiceWorker, gotoApp, PIN, reloadApp, signIn, typePin, countyRecords as countyRecordsOf, type Server } from './harness.ts';


describe.skipIf(!chromiumAvailable() && !process.env.CI)('sync with the county in Chromium', () => {
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

  it('signs in and downloads only the doctor’s villages', async () => {
    await gotoApp(page, `${server.url}/welcome`);
    await waitForServiceWorker(page);
    await page.getByTestId('go-login').click();
    await page.locator('#username').fill('doctor');
    await page.locator('#password').fill('wrong-password');
    await page.getByTestId('login').click();
    await page.getByText('用户名或密码不对').waitFor();
    await page.locator('#password').fill('cunyi-demo');
    await page.getByTestId('login').click();
    // A first sign-in on the tablet chooses the profile's PIN: a guessable one and a mistyped repeat are refused.
    await page.getByTestId('pin-setup').waitFor();
    await typePin(page, '123456');
    await page.getByText('太容易被猜到').waitFor();
    await typePin(page, PIN);
    await typePin(page, '205814');
    await page.getByText('两次输入的 PIN 不一样').waitFor();
    await typePin(page, PIN);
    await typePin(page, PIN);
    await page.waitForURL('**/villages', { timeout: 60_000 });
    await page.getByTestId('village-link').first().waitFor();
    expect(await page.getByTestId('village-link').count()).toBe(2);
    await page.getByTestId('sync-status').getByText('全部已上报').waitFor();
    await shot(page, 'synced-villages-800x1280');
  });

  it('keeps an offline edit in the outbox and sends it once when back online', async () => {
    const member = await page.evaluate(async () => {
      const d = (window as unknown as { cunyi: { db(): any } }).cunyi.db();
      const m = await d.members.orderBy('id').first();
      return { id: m.id as string, name: m.name as string };
    });
    await context.setOffline(true);
    await gotoApp(page, `${server.url}/members/${member.id}/edit`);
    await page.locator('#phone').fill('13700001111');
    await page.getByTestId('save').click();
    await page.waitForURL(`**/members/${member.id}`);
    await page.getByTestId('sync-pending').getByText('待上报 1 条').waitFor({ timeout: 15_000 });
    await shot(page, 'offline-edit-pending-800x1280');
    await context.setOffline(false);
    await page.getByTestId('sync-now').click();
    await page.getByTestId('sync-pending').getByText('全部已上报').waitFor({ timeout: 30_000 });
    const records = (await countyRecords()).filter((r) => r.id === member.id);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ entity: 'member', rev: 2, data: { phone: '13700001111', name: member.name } });
    // a second sync changes nothing
    await page.getByTestId('sync-now').click();
    await page.getByTestId('sync-pending').getByText('全部已上报').waitFor();
    expect((await countyRecords()).filter((r) => r.id === member.id)[0]!.rev).toBe(2);
  });

  it('sends the outbox from the service worker by Background Sync, with no page open', async () => {
    const member = await page.evaluate(async () => {
      const d = (window as unknown as { cunyi: { db(): any } }).cunyi.db();
      const m = await d.members.orderBy('id').offset(2).first();
      return { id: m.id as string };
    });
    await context.setOffline(true);
    await gotoApp(page, `${server.url}/members/${member.id}/edit`);
    await page.locator('#phone').fill('13500005555');
    await page.getByTestId('save').click();
    await page.waitForURL(`**/members/${member.id}`);
    await page.getByTestId('sync-pending').getByText('待上报 1 条').waitFor({ timeout: 15_000 });
    // No page of the app stays open; the browser fires the sync tag when connectivity returns.
    await page.goto('about:blank');
    await context.setOffline(false);
    const cdp = await context.newCDPSession(page);
    const registrations = new Promise<{ registrationId: string; scopeURL: string }[]>((resolve) =>
      cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: { registrationId: string; scopeURL: string }[] }) => resolve(e.registrations)),
    );
    await cdp.send('ServiceWorker.enable');
    const reg = (await registrations).find((r) => r.scopeURL.startsWith(server.url))!;
    await cdp.send('ServiceWorker.dispatchSyncEvent', { origin: server.url, registrationId: reg.registrationId, tag: 'cunyi-outbox', lastChance: false });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const rec = (await countyRecords()).find((r) => r.id === member.id);
      if ((rec?.data as { phone?: string } | undefined)?.phone === '13500005555') break;
      if (Date.now() > deadline) throw new Error('the service worker did not send the outbox');
      await new Promise((r) => setTimeout(r, 300));
    }
    await cdp.detach();
    await gotoApp(page, `${server.url}/members/${member.id}`);
    await page.getByTestId('sync-pending').getByText('全部已上报').waitFor({ timeout: 15_000 });
  });

  it('shows a both-sides edit with both values and keeps the one the doctor chooses', async () => {
    // A second tablet of the same doctor.
    const other = await (await tabletContext(browser)).newPage();
    await signIn(other, server.url, 'doctor');
    const member = await page.evaluate(async () => {
      const d = (window as unknown as { cunyi: { db(): any } }).cunyi.db();
      const m = await d.members.orderBy('id').offset(1).first();
      return { id: m.id as string };
    });
    // The first tablet changes the phone and sends it; the second changes it differently.
    await gotoApp(page, `${server.url}/members/${member.id}/edit`);
    await page.locator('#phone').fill('13600000001');
    await page.getByTestId('save').click();
    await page.getByTestId('sync-now').click();
    await page.getByTestId('sync-pending').getByText('全部已上报').waitFor({ timeout: 30_000 });
    await gotoApp(other, `${server.url}/members/${member.id}/edit`);
    await other.locator('#phone').fill('13600000002');
    await other.getByTestId('save').click();
    await other.getByTestId('sync-now').click();
    await other.getByText('1 项需处理').click();
    await other.getByTestId('sync-issue').waitFor();
    expect(await other.getByTestId('sync-issue').textContent()).toContain('13600000001');
    expect(await other.getByTestId('sync-issue').textContent()).toContain('13600000002');
    await shot(other, 'sync-conflict-800x1280');
    await other.getByRole('button', { name: '用本机的值' }).click();
    await other.getByTestId('sync-now').click();
    await other.getByTestId('sync-pending').getByText('全部已上报').waitFor({ timeout: 30_000 });
    const rec = (await countyRecords()).filter((r) => r.id === member.id)[0]!;
    expect(rec.data).toMatchObject({ phone: '13600000002' });
    await other.context().close();
  });
});
