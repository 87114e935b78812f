/**
 * The estimate in real Chromium, offline: a demo member's case gives the settle command's figure,
 * the classes compare, a settlement slip goes into the ledger, and the next estimate counts it.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyFromRecords } from '../../src/model/estimate.ts';
import { statusOn } from '../../src/rules/index.ts';
import { runSettle } from '../helpers.ts';
import { chromiumAvailable, launch, shot, shotSizes, smallTouchTargets, startServer, tabletContext, waitForServiceWorker, type Server } from './harness.ts';

const fen = (text: string | null) => Number((text ?? '').replace(/[^0-9]/g, ''));

describe.skipIf(!chromiumAvailable() && !process.env.CI)('estimate and ledger in Chromium, offline', () => {
  let server: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let member: { id: string; name: string };
  let person: { registeredPoor: boolean; poorClass: 1 | 2 | null; assistance: 'tekun' | 'dibao' | null };
  let today = '';

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    context = await tabletContext(browser);
    page = await context.newPage();
    await page.goto(`${server.url}/welcome`);
    await waitForServiceWorker(page);
    await page.evaluate(() => (window as unknown as { cunyi: { loadDemo(o: object): Promise<unknown> } }).cunyi.loadDemo({ members: 600, seed: 5 }));
    // A registered-poor member with no assistance status, so several layers take part.
    const picked = await page.evaluate(async () => {
      const d = (window as unknown as { cunyi: { db(): any } }).cunyi.db();
      const statuses = await d.statuses.toArray();
      const s = statuses.find((x: { poverty: string; assistance: string | null }) => x.poverty === 'poor' && x.assistance === null);
      const m = await d.members.get(s.memberId);
      return { member: { id: m.id, name: m.name }, statuses: await d.statuses.where('memberId').equals(m.id).toArray() };
    });
    member = picked.member;
    today = await page.evaluate(() => {
      const d = new Date();
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    });
    const s = statusOn(historyFromRecords(picked.statuses), today);
    person = { registeredPoor: s.registeredPoor, poorClass: s.poorClass, assistance: s.assistance };
    await context.setOffline(true);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const claim = { kind: 'inpatient', facility: { class: 'county' }, total: '30000.00', outOfCatalog: '3000.00' };
  const settle = (n: number) => {
    const r = runSettle(JSON.stringify({ policy: 'CN-140000-2017', person, claims: Array.from({ length: n }, () => ({ ...claim, date: today })) }), ['--summary']);
    expect(r.status, r.stdout).toBe(0);
    return JSON.parse(r.stdout).claims.at(-1) as { payers: Record<string, string>; patient: string };
  };

  async function enterCase(): Promise<void> {
    await page.locator('#facility').selectOption('c:county');
    await page.locator('#total').fill('30000');
    await page.locator('#outOfCatalog').fill('3000');
    await page.getByTestId('patient-amount').waitFor();
  }

  it('gives the same patient figure as the settle command', async () => {
    await page.goto(`${server.url}/members/${member.id}`);
    await page.getByTestId('estimate-member').click();
    await page.waitForURL('**/estimate?member=*');
    await enterCase();
    const expected = settle(1);
    expect(fen(await page.getByTestId('patient-amount').textContent())).toBe(fen(expected.patient));
    for (const [payer, amount] of Object.entries(expected.payers)) {
      expect(fen(await page.getByTestId(`payer-${payer}`).textContent()), payer).toBe(fen(amount));
    }
    await page.getByTestId('assumptions').waitFor();
    // Assumed parameters are named in words from the pack, never by their keys ("backstop.scope").
    const assumed = (await page.getByTestId('assumptions').textContent()) ?? '';
    expect(assumed).not.toMatch(/[a-z]\.[a-z]|\|/i);
    expect(assumed).toMatch(/[：:].*估算|[：:]/);
    // A quote opens to its whole text and document on a tap (no hover on a touch screen).
    const quote = page.locator('.tag.quote button').first();
    const cut = (await quote.textContent()) ?? '';
    await quote.click();
    expect(await quote.getAttribute('aria-expanded')).toBe('true');
    expect(((await quote.textContent()) ?? '').length).toBeGreaterThanOrEqual(cut.replace('…', '').length);
    await page.locator('.tag.quote.open .quote-doc').first().waitFor();
    await shotSizes(page, 'estimate-words', page.getByTestId('assumptions'));
    await shot(page, 'estimate-800x1280');
    expect(await smallTouchTargets(page)).toEqual([]);
  });

  it('compares the facility classes and marks the cheapest', async () => {
    await page.getByTestId('compare').click();
    await page.getByTestId('compare-table').waitFor();
    expect(await page.locator('[data-testid^="compare-"] td:first-child').count()).toBe(4);
    expect(await page.locator('tr.cheapest').count()).toBeGreaterThanOrEqual(1);
    await page.getByTestId('compare-table').scrollIntoViewIfNeeded();
    await shot(page, 'estimate-compare-800x1280');
  });

  it('records a settlement slip, and the next estimate counts it', async () => {
    const first = settle(1);
    await page.goto(`${server.url}/members/${member.id}/ledger/new`);
    await page.locator('#date').fill(today);
    await page.locator('#facilityClass').selectOption('county');
    await page.locator('#total').fill('30000');
    await page.locator('#outOfCatalog').fill('3000');
    for (const [payer, amount] of Object.entries(first.payers)) if (amount !== '0.00') await page.locator(`#paid_${payer}`).fill(amount);
    await page.getByTestId('save').click();
    await page.waitForURL(`**/members/${member.id}/ledger`);
    await page.getByTestId('ledger-entry').first().waitFor();
    expect(await page.getByText('与重算不一致').count()).toBe(0);
    await shot(page, 'ledger-800x1280');

    await page.goto(`${server.url}/estimate?member=${member.id}`);
    await enterCase();
    const second = settle(2);
    expect(fen(await page.getByTestId('patient-amount').textContent())).toBe(fen(second.patient));
    expect(second.patient).not.toBe(first.patient);
    await page.getByTestId('year-context').waitFor();
    expect(await page.getByText('已计入本年 1 笔已登记结算').count()).toBe(1);
    await page.getByTestId('year-context').scrollIntoViewIfNeeded();
    await shot(page, 'estimate-year-context-800x1280');
  });

  it('marks bad input on the field and keeps what was typed', async () => {
    await page.locator('#outOfCatalog').fill('40000');
    await page.getByTestId('error-outOfCatalog').waitFor();
    await page.locator('#total').fill('３００');
    await page.getByTestId('error-total').waitFor();
    expect(await page.locator('#outOfCatalog').inputValue()).toBe('40000');
  });

  it("offers the member's own county's pack first and the others for comparison", async () => {
    await page.goto(`${server.url}/estimate?member=${member.id}`);
    await enterCase();
    expect(await page.locator('#packId option').first().textContent()).toMatch(/^本县：/);
    expect(await page.locator('#packId optgroup').getAttribute('label')).toBe('其他地区（仅供比较）');
    expect(await page.getByTestId('other-region').count()).toBe(0);
    await page.locator('#packId').selectOption('CN-440000-2018');
    await page.getByTestId('other-region').waitFor();
    // Xianning's pack needs the poverty class: a member without one is sent to the status form.
    if (person.registeredPoor && person.poorClass === null) {
      await page.locator('#packId').selectOption('CN-421200-2017');
      // Its own classes: the first facility it lists.
      await page.locator('#facility').selectOption({ index: 1 });
      await page.locator('#total').fill('30000');
      const missing = page.getByTestId('status-missing');
      await missing.waitFor();
      expect(await missing.locator('a').getAttribute('href')).toBe(`/members/${member.id}/status/new`);
    }
    await page.locator('#packId').selectOption({ index: 0 });
    await page.getByTestId('other-region').waitFor({ state: 'detached' });
  });
});
