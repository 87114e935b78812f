/**
 * The tablet's exports in Chromium (src/client/features/exports/): the doctor signs in (the roster
 * of their two villages comes down), records a hospital stay, goes offline, opens 导出表格 from 设置
 * and downloads the roster, the chronic certifications, the 台账 of this year and the filings of
 * one village or both; each download is read back with read-excel-file: every ID number whole and
 * as text, the file naming the villages, the date and the pack, the stay in the 台账 by payer. Then
 * the default demo (10,000 members): its roster is large enough that the file is compressed in a
 * worker, which the content security policy must allow (it once hung there for ever).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import readXlsxFile from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, countyRecords, gotoApp, launch, shotSizes, signIn, smallTouchTargets, startServer, tabletContext, waitForServiceWorker, type Server } from './harness.ts';

type Win = { cunyi: { db(): import('../../src/client/db/schema.ts').CunyiDb; repo(): Promise<typeof import('../../src/client/db/repo.ts')> } };
type Cell = string | number | boolean | Date | null;
type Sheet = { sheet: string; data: Cell[][] };

/** The rows below the heading row (the row whose first cell is `first`), by heading. */
function table(s: Sheet, first: string) {
  const at = s.data.findIndex((r) => r[0] === first);
  expect(at).toBeGreaterThan(0);
  const head = s.data[at]!.map((c) => String(c ?? ''));
  return { top: s.data.slice(0, at).map((r) => String(r[0] ?? '')), rows: s.data.slice(at + 1).map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? null]))) };
}

describe.skipIf(!chromiumAvailable() && !process.env.CI)('exports on the tablet, offline, in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let today = '';
  const violations: string[] = [];

  beforeAll(async () => {
    server = await startServer({ demoMembers: 600 });
    browser = await launch();
    context = await tabletContext(browser);
    page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${server.url}/welcome`);
    // Controlled by the service worker before going offline: the export screen is a chunk of its own.
    await waitForServiceWorker(page);
    await signIn(page, server.url, 'doctor');
    await page.getByTestId('village-link').first().waitFor();
    today = await page.evaluate(() => {
      const d = new Date();
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Clicks an export's button and reads the file it downloads. */
  async function download(kind: string): Promise<{ name: string; sheets: Sheet[] }> {
    const [d] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId(`export-${kind}`).click()]);
    const path = await d.path();
    expect(path).toBeTruthy();
    await page.getByTestId(`export-card-${kind}`).getByTestId('export-result').waitFor();
    return { name: d.suggestedFilename(), sheets: (await readXlsxFile(path!)) as Sheet[] };
  }

  let stay = { idNumber: '', name: '' };

  it('opens 导出表格 from 设置 offline, at tablet and phone size', async () => {
    // A hospital stay of this year recorded on the tablet (what each payer paid, from the slip).
    stay = await page.evaluate(async (date) => {
      const api = (window as unknown as Win).cunyi;
      const m = (await api.db().members.toArray()).find((x) => x.state === 'active')!;
      await (await api.repo()).addLedgerEntry({ memberId: m.id, date, packId: 'CN-140000-2017', kind: 'inpatient', facilityClass: 'county', facilityName: '交口县人民医院', disease: null, total: 2_000_000, outOfCatalog: 100_000, paid: { basic: 1_200_000, critical: 200_000, assistance: 150_050 } });
      return { idNumber: m.idNumber, name: m.name };
    }, today);
    await context.setOffline(true);
    await page.locator('.nav a[href="/settings"]').click();
    await shotSizes(page, 'settings-exports', page.getByTestId('open-exports'));
    await page.getByTestId('open-exports').click();
    await page.waitForURL('**/exports');
    await page.getByTestId('export-roster').waitFor();
    const shots = await shotSizes(page, 'exports');
    expect(shots).toHaveLength(2);
    expect(await smallTouchTargets(page)).toEqual([]);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(wide).toBe(true);
  });

  it('downloads the roster of both villages offline, every ID number whole and as text', async () => {
    const x = await download('roster');
    const villages = await page.evaluate(async () => (await (window as unknown as Win).cunyi.db().villages.orderBy('code').toArray()).map((v) => ({ id: v.id, code: v.code, name: v.name, township: v.townshipName })));
    expect(villages.length).toBe(2);
    expect(x.name).toBe(`花名册-${villages[0]!.township}${villages[0]!.name}、${villages[1]!.name}-${today}.xlsx`);
    const t = table(x.sheets[0]!, '县代码');
    expect(t.top[0]).toBe(`${villages[0]!.township}${villages[0]!.name}、${villages[1]!.name} 花名册`);
    expect(t.top[1]).toContain(villages[0]!.code);
    expect(t.top[2]).toMatch(new RegExp(`导出日期：${today}　政策包：CN-140000-2017（.*版本 2017\\.1）`));
    const members = await page.evaluate(async () => (await (window as unknown as Win).cunyi.db().members.toArray()).map((m) => ({ idNumber: m.idNumber, phone: m.phone })));
    expect(t.rows.length).toBe(members.length);
    expect(t.rows.every((r) => typeof r['证件号码'] === 'string' && /^[0-9]{17}[0-9X]$/.test(r['证件号码'] as string))).toBe(true);
    expect(t.rows.map((r) => r['证件号码']).sort()).toEqual(members.map((m) => m.idNumber).sort());
    const phones = new Map(members.map((m) => [m.idNumber, m.phone]));
    expect(t.rows.every((r) => (r['联系电话'] ?? null) === (phones.get(r['证件号码'] as string) || null))).toBe(true);
    await shotSizes(page, 'exports-done', page.getByTestId('export-card-roster'));
  });

  it('downloads one village’s certifications, the 台账 of this year with the stay by payer, and the filings', async () => {
    const village = await page.evaluate(async () => (await (window as unknown as Win).cunyi.db().villages.orderBy('code').first())!);
    await page.getByTestId('export-village').selectOption(village.id);
    const e = await download('enrolments');
    expect(e.name).toBe(`慢性病认定-${village.townshipName}${village.name}-${today}.xlsx`);
    const certified = await page.evaluate(async (id) => (await (window as unknown as Win).cunyi.db().enrolments.where('villageId').equals(id).count()), village.id);
    expect(table(e.sheets[0]!, '乡镇').rows.length).toBe(certified);

    await page.getByTestId('export-village').selectOption('');
    const l = await download('ledger');
    const year = today.slice(0, 4);
    expect(l.name).toMatch(new RegExp(`^台账-${year}年-.*-${today}\\.xlsx$`));
    expect(l.sheets.map((s) => s.sheet)).toEqual([`${year}年台账`, '医疗费用明细']);
    const row = table(l.sheets[0]!, '乡镇').rows.find((r) => r['证件号码'] === stay.idNumber)!;
    expect(row).toMatchObject({ 姓名: stay.name, 住院次数: 1, '住院总费用（元）': 20_000, '基本医保（元）': 12_000, '大病保险（元）': 2_000, '医疗救助（元）': 1_500.5, '住院个人自付（元）': 4_499.5 });
    expect(table(l.sheets[1]!, '乡镇').rows).toEqual([expect.objectContaining({ 证件号码: stay.idNumber, 日期: today, 类别: '住院', 医院: '交口县人民医院', '个人自付（元）': 4_499.5 })]);

    const f = await download('filings');
    expect(f.name).toMatch(/^代报代办-/);
    expect(table(f.sheets[0]!, '乡镇').top[0]).toMatch(/代报代办$/);
  });

  it('exports the roster of the default demo, 10,000 members, offline, under the content security policy', async () => {
    await page.evaluate(() => (window as unknown as { cunyi: { loadDemo(o: { members: number; seed: number }): Promise<unknown> } }).cunyi.loadDemo({ members: 10_000, seed: 3 }));
    await page.goto(`${server.url}/exports`);
    await page.getByTestId('export-roster').waitFor();
    const t0 = Date.now();
    const x = await download('roster');
    const ms = Date.now() - t0;
    const members = await page.evaluate(async () => (await (window as unknown as Win).cunyi.db().members.toArray()).map((m) => m.idNumber));
    expect(members.length).toBeGreaterThan(9_000);
    const rows = table(x.sheets[0]!, '县代码').rows;
    expect(rows.map((r) => r['证件号码']).sort()).toEqual(members.sort());
    expect(rows.filter((r) => String(r['证件号码']).endsWith('X')).length).toBeGreaterThan(100);
    expect(violations).toEqual([]);
    console.log(`roster of ${members.length} members exported on the tablet in ${ms} ms (click to file read back)`);
  });

  it('fits a phone in English and 繁體中文 at the largest text size, offline', async () => {
    for (const [lang, title] of [['en', 'Export spreadsheets'], ['zh-TW', '匯出表格']] as const) {
      await page.evaluate((l) => {
        localStorage.setItem('cunyi.lang', l);
        localStorage.setItem('cunyi.textScale', '150');
      }, lang);
      await page.setViewportSize({ width: 412, height: 915 });
      await gotoApp(page, `${server.url}/exports`);
      await page.getByRole('heading', { name: title }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), lang).toBe(true);
      expect(await smallTouchTargets(page)).toEqual([]);
      await shotSizes(page, `exports-${lang}-150`, page.getByTestId('export-card-ledger'));
    }
    await page.evaluate(() => {
      localStorage.setItem('cunyi.lang', 'zh-CN');
      localStorage.removeItem('cunyi.textScale');
    });
  });

  it('gives a township reviewer, who keeps no roster, the server’s files of the township or a village of it', async () => {
    const ctx = await tabletContext(browser);
    const rp = await ctx.newPage();
    try {
      await signIn(rp, server.url, 'township');
      await rp.getByTestId('review-exports').click();
      await rp.getByTestId('server-exports').waitFor();
      const select = rp.getByTestId('export-area');
      await rp.waitForFunction(() => document.querySelectorAll('[data-testid="export-area"] option').length > 2);
      const get = async (kind: string) => {
        const [d] = await Promise.all([rp.waitForEvent('download', { timeout: 60_000 }), rp.getByTestId(`export-${kind}`).click()]);
        const path = await d.path();
        await rp.locator(`[data-testid="export-card-${kind}"] [data-testid="export-result"]`).waitFor();
        return { name: d.suggestedFilename(), sheets: (await readXlsxFile(path!)) as Sheet[] };
      };
      // The whole township: every member the county holds in it, ID numbers whole and as text.
      const township = (await countyRecords(server.url)).filter((r) => r.entity === 'member').map((r) => r.data as unknown as { idNumber: string; villageId: string });
      const villages = new Map((await countyRecords(server.url)).filter((r) => r.entity === 'village').map((r) => [r.id, r.data as unknown as { code: string; name: string }]));
      const code = (await select.locator('option').nth(1).getAttribute('value'))!;
      expect(code).toMatch(/^[0-9]{9}$/);
      await select.selectOption(code);
      const roster = await get('roster');
      const rows = table(roster.sheets[0]!, '县代码').rows;
      const inTownship = township.filter((m) => villages.get(m.villageId)!.code.startsWith(code)).map((m) => m.idNumber);
      expect(rows.map((r) => r['证件号码']).sort()).toEqual(inTownship.sort());
      expect(rows.every((r) => typeof r['证件号码'] === 'string' && /^[0-9]{17}[0-9X]$/.test(r['证件号码'] as string))).toBe(true);
      // One village's 台账 of this year, named by the village.
      const village = (await select.locator('option').nth(2).getAttribute('value'))!;
      expect(village).toMatch(/^[0-9]{12}$/);
      await select.selectOption(village);
      const ledger = await get('ledger');
      const name = [...villages.values()].find((x) => x.code === village)!.name;
      expect(ledger.name).toContain(name);
      expect(table(ledger.sheets[0]!, '乡镇').top.join(' ')).toContain(name);
      await shotSizes(rp, 'exports-server', rp.getByTestId('export-card-ledger'));
      // Offline: said plainly, nothing lost.
      await ctx.setOffline(true);
      await rp.getByTestId('export-filings').click();
      expect(await rp.locator('[data-testid="export-card-filings"] [data-testid="export-result"]').textContent()).toContain('连不上');
      await ctx.setOffline(false);
    } finally {
      await ctx.close();
    }
  });
});
