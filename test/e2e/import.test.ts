/**
 * The roster import screen in Chromium, as a county clerk uses it: a CSV saved by Chinese Excel
 * (GBK) whose ID column has a heading of the county's own is checked, refused for the missing
 * heading, mapped on screen, checked again, imported after a confirmation, and imported again
 * without a change; an .xlsx whose ID numbers Excel turned into numbers is refused by row and
 * column; the history lists every attempt with its report.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import writeXlsxFile from 'write-excel-file/node';
import { makeIdNumber } from '../../src/model/idcard.ts';
import type { Member, Village } from '../../src/model/roster.ts';
import { gbk } from '../gbk.ts';
import { chromiumAvailable, countyRecords, launch, shotSizes, signIn, smallTouchTargets, startServer, tabletContext, type Server } from './harness.ts';

describe.skipIf(!chromiumAvailable() && !process.env.CI)('roster import screen in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let village: Village;
  const ids = [makeIdNumber('141130', '1961-04-02', 501), makeIdNumber('141130', '1963-08-09', 502), makeIdNumber('141130', '1990-01-15', 503)];

  beforeAll(async () => {
    server = await startServer({ demoMembers: 300 });
    const records = await countyRecords(server.url);
    village = records.filter((r) => r.entity === 'village').map((r) => r.data as unknown as Village).sort((a, b) => a.code.localeCompare(b.code))[0]!;
    browser = await launch();
    ctx = await tabletContext(browser);
    page = await ctx.newPage();
    await signIn(page, server.url, 'county');
  }, 180_000);

  afterAll(async () => {
    await ctx?.close();
    await browser?.close();
    await server?.stop();
  });

  /** The county's roster in its own layout: 身份号 is no heading the import knows. */
  const csv = (phone: string) =>
    gbk(
      [
        '乡镇,行政村,户编号,姓名,性别,身份号,与户主关系,联系电话,贫困户属性',
        `${village.townshipName},${village.name},E2E01,郝建平,男,${ids[0]},户主,${phone},一般贫困户`,
        `${village.townshipName},${village.name},E2E01,郝桂花,女,${ids[1]},配偶,,一般贫困户`,
        `${village.townshipName},${village.name},E2E01,郝小军,男,${ids[2]},长子,,一般贫困户`,
      ].join('\r\n') + '\r\n',
    );

  const choose = async (name: string, mimeType: string, bytes: Uint8Array) => {
    await page.getByTestId('import-file').setInputFiles({ name, mimeType, buffer: Buffer.from(bytes) });
    await page.getByTestId('import-chosen').getByText(name).waitFor();
  };
  const check = async () => {
    const before = await page.getByTestId('import-history-row').count();
    await page.getByTestId('import-check').click();
    await page.getByTestId('import-summary').waitFor();
    // the history shows the attempt once the screen has read it again
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="import-history-row"]').length > n, before);
  };
  const members = async () => (await countyRecords(server.url)).filter((r) => r.entity === 'member').map((r) => r.data as unknown as Member);

  it('refuses the unknown heading, takes the mapping chosen on screen, imports once after a confirmation, and a second import changes nothing', async () => {
    await page.getByTestId('nav-import').click();
    await page.getByTestId('import-page').waitFor();
    await page.getByTestId('import-history').getByText('还没有导入记录').waitFor();
    await choose('花名册.csv', 'text/csv', csv('13912340001'));
    await check();
    // Refused: the ID number column is not recognised, and the report names the heading needed.
    expect(await page.getByTestId('import-summary').getAttribute('data-ok')).toBe('no');
    expect(await page.getByTestId('import-encoding').textContent()).toContain('GB18030');
    expect(await page.getByTestId('import-problems').textContent()).toContain('证件号码');
    expect(await page.getByTestId('import-apply').count()).toBe(0);
    const column = page.locator('[data-testid="import-column"]', { hasText: '身份号' });
    const letter = (await column.getAttribute('data-column'))!;
    expect(letter).toBe('F');
    await shotSizes(page, 'import-refused', page.getByTestId('import-problems'));

    // The clerk says what the column holds, and checks again: three people to add, nothing written yet.
    await page.getByTestId(`import-map-${letter}`).selectOption('idNumber');
    expect(await page.getByTestId('import-check').textContent()).toContain('重新检查');
    await check();
    expect(await page.getByTestId('import-summary').getAttribute('data-ok')).toBe('yes');
    expect(await page.getByTestId('import-summary').textContent()).toContain('预演');
    const counts = await page.getByTestId('import-changes').locator('ul.counts').textContent();
    expect(counts).toContain('户：新增 1');
    expect(counts).toContain('人：新增 3');
    expect((await members()).filter((m) => ids.includes(m.idNumber))).toEqual([]);
    await shotSizes(page, 'import-checked', page.getByTestId('import-apply'));
    expect(await smallTouchTargets(page)).toEqual([]);

    // Import: asked first; cancel writes nothing, confirm writes it.
    await page.getByTestId('import-apply').click();
    await page.getByTestId('confirm-no').click();
    expect((await members()).filter((m) => ids.includes(m.idNumber))).toEqual([]);
    await page.getByTestId('import-apply').click();
    await page.getByTestId('confirm-yes').click();
    await page.locator('[data-testid="import-summary"][data-applied="yes"]').waitFor();
    const imported = (await members()).filter((m) => ids.includes(m.idNumber));
    expect(imported.map((m) => m.name).sort()).toEqual(['郝小军', '郝建平', '郝桂花'].sort());
    expect(imported.find((m) => m.idNumber === ids[0])!.phone).toBe('13912340001');

    // The same file again (the columns chosen for the last file still hold): no change to make.
    await choose('花名册.csv', 'text/csv', csv('13912340001'));
    await check();
    expect(await page.getByTestId(`import-map-${letter}`).inputValue()).toBe('idNumber');
    await page.getByTestId('import-same').waitFor();
    expect(await page.getByTestId('import-apply').count()).toBe(0);

    // An edited file: only the changed phone number.
    await choose('花名册-改.csv', 'text/csv', csv('13912340009'));
    await check();
    const changes = await page.getByTestId('import-change').allTextContents();
    expect(changes).toHaveLength(1);
    expect(changes[0]).toContain('郝建平');
    expect(changes[0]).toContain('13912340001 → 13912340009');
  }, 180_000);

  it('refuses ID numbers Excel turned into numbers by row and column, and lists every attempt with its report', async () => {
    const head = ['乡镇', '行政村', '户编号', '姓名', '性别', '证件号码', '与户主关系'];
    const rows = [head.map((h) => ({ value: h, type: String })), [village.townshipName, village.name, 'E2E02', '冯大海', '男', Number(makeIdNumber('141130', '1970-03-03', 511).slice(0, 17)), '户主'].map((v) => (typeof v === 'number' ? { value: v, type: Number } : { value: v, type: String }))];
    const bytes = await writeXlsxFile(rows as never).toBuffer();
    await choose('数字身份证.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', bytes);
    await check();
    expect(await page.getByTestId('import-summary').getAttribute('data-ok')).toBe('no');
    expect(await page.getByTestId('import-format').textContent()).toContain('xlsx');
    const problem = page.getByTestId('import-problem').first();
    const cells = await problem.locator('td').allTextContents();
    expect(cells[0]).toBe('2');
    expect(cells[1]).toContain('F');
    expect(cells[2]).toContain('文本');

    // The history: newest first, each attempt with who and what; a report opens under its line.
    const history = page.getByTestId('import-history-row');
    expect(await history.count()).toBe(6);
    expect(await history.first().textContent()).toContain('数字身份证.xlsx');
    expect(await history.first().textContent()).toContain('county');
    await history.first().getByRole('button').click();
    await history.first().getByTestId('import-report').waitFor();
    await shotSizes(page, 'import-history', page.getByTestId('import-history'));
  }, 120_000);
});
