/**
 * The everyday round: the doctor opens 待办, takes a 两病 follow-up from it (bad readings refused by
 * name, the classification computed with its threshold, a danger reading flagged), saves it
 * offline and sees the item leave the list; signs a household's family-doctor contracts in one go;
 * the county receives both once back online.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_HEADERS, chromiumAvailable, countyToken, gotoApp, launch, photoBytes, shotSizes, signIn, smallTouchTargets, startServer, tabletContext, waitForServiceWorker, countyRecords as countyRecordsOf, type Server } from './harness.ts';

type Win = { cunyi: { db(): import('../../src/client/db/schema.ts').CunyiDb } };

/** Picks a kind on 待办 and waits until the list shown is that kind's (not the previous filter's, not blank). */
async function listKind(page: Page, kind: string): Promise<void> {
  await page.getByTestId('worklist-kind').selectOption(kind);
  await page.locator(`[data-testid="worklist"][aria-busy="false"][data-filter="|${kind}"]`).waitFor();
}

describe.skipIf(!chromiumAvailable() && !process.env.CI)('the care plan in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startServer({ demoMembers: 600 });
    browser = await launch();
    page = await (await tabletContext(browser)).newPage();
    await page.goto(`${server.url}/welcome`);
    // Controlled by the service worker before going offline: the care-plan screens are a chunk of their own.
    await waitForServiceWorker(page);
    await signIn(page, server.url, 'doctor');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const countyRecords = () => countyRecordsOf(server.url);
  /** The member the first test follows up (村情 lists them by name). */
  let followedName = '';

  it('shows on the home screen how much is due today, one tap from 待办', async () => {
    await page.getByTestId('nav-villages').click();
    const home = page.getByTestId('home-worklist');
    await home.waitFor();
    expect(Number(((await home.textContent()) ?? '').match(/今天待办 (\d+) 项/)?.[1])).toBeGreaterThan(0);
    await shotSizes(page, 'home-worklist', home);
    await home.click();
    await page.getByTestId('worklist').waitFor();
  });

  it('takes a follow-up from 待办: bad readings refused by name, control computed, the item settled offline', async () => {
    // A member certified for hypertension a month ago, never followed up since.
    const enrolled = await page.evaluate(async () => {
      const api = (window as unknown as Win & { cunyi: { repo(): Promise<typeof import('../../src/client/db/repo.ts')> } }).cunyi;
      const d = api.db();
      const m = (await d.members.toArray()).find((x) => x.state === 'active' && x.birthDate < '1970-01-01')!;
      const month = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
      await (await api.repo()).addEnrolment({ memberId: m.id, villageId: m.villageId, packId: 'CN-140000-2017', entryId: 'hypertension-3', icd: 'I10', category: 'special', certifiedOn: month, hospital: '交口县人民医院', annualLimit: 0 });
      return { id: m.id, name: m.name };
    });
    followedName = enrolled.name;
    await page.getByTestId('nav-worklist').click();
    await page.getByTestId('worklist').waitFor();
    const count = Number(await page.getByTestId('worklist-count').textContent());
    expect(count).toBeGreaterThan(0);
    await listKind(page, 'followup');
    await page.getByTestId('work-item').filter({ hasText: enrolled.name }).first().waitFor();
    await expect.poll(async () => (await page.getByTestId('work-item').allTextContents()).every((x) => x.includes('随访'))).toBe(true);
    await shotSizes(page, 'worklist');
    expect(await smallTouchTargets(page)).toEqual([]);
    const followups = await page.getByTestId('work-item').count();
    await page.context().setOffline(true);
    await page.getByTestId('work-item').filter({ hasText: enrolled.name }).first().click();
    await page.getByTestId('followup-form').waitFor();
    const memberId = new URL(page.url()).pathname.split('/')[2]!;
    expect(memberId).toBe(enrolled.id);
    await page.locator('#sbp').fill('300');
    await page.locator('#dbp').fill('20');
    await page.getByTestId('save').click();
    await page.getByTestId('error-sbp').getByText('收缩压（mmHg）应在 60–280 之间').waitFor();
    await page.getByTestId('error-dbp').getByText('舒张压（mmHg）应在 30–180 之间').waitFor();
    await page.locator('#sbp').fill('120');
    await page.locator('#dbp').fill('130');
    await page.getByTestId('error-dbp').getByText('舒张压应低于收缩压').waitFor();
    // A danger reading is flagged for urgent referral.
    await page.locator('#sbp').fill('185');
    await page.locator('#dbp').fill('100');
    await page.getByTestId('followup-danger').getByText('紧急转诊').waitFor();
    await page.locator('#sbp').fill('152');
    await page.locator('#dbp').fill('96');
    await page.locator('#heartRate').fill('78');
    await page.getByTestId('followup-class').getByText('控制不满意').waitFor();
    const because = (await page.getByTestId('followup-threshold').textContent()) ?? '';
    expect(because).toMatch(/血压目标 < 1[45]0\/90 mmHg/);
    expect(because).toContain('高血压患者健康管理服务规范');
    expect(because).not.toMatch(/followup\.|sbpBelow|\[1\]/);
    expect(await page.getByTestId('followup-danger').count()).toBe(0);
    await page.getByTestId('symptom-headache-dizziness').check();
    await shotSizes(page, 'followup-form', page.getByTestId('followup-result'));
    await page.getByTestId('save').click();
    await page.getByTestId('saved-notice').getByText('随访已保存').waitFor();
    // Settled: this member's routine follow-up has left the list (a re-check in two weeks is upcoming, not due).
    await page.getByTestId('nav-worklist').click();
    await listKind(page, 'followup');
    await page.getByTestId('worklist').waitFor();
    await expect.poll(() => page.getByTestId('work-item').count()).toBe(followups - 1);
    const saved = await page.evaluate(async (id) => (await (window as unknown as Win).cunyi.db().table('followups').where('memberId').equals(id).toArray()) as { classification: string; readings: { sbp: number } }[], memberId);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ classification: 'unsatisfactory', readings: { sbp: 152 } });
    await page.context().setOffline(false);
    await page.getByTestId('sync-now').click();
    await page.getByTestId('sync-pending').getByText('全部已上报').waitFor({ timeout: 30_000 });
    const rec = (await countyRecords()).filter((r) => r.entity === ('followup' as never) && (r.data as { memberId?: string } | null)?.memberId === memberId);
    expect(rec).toHaveLength(1);
  });

  it('records a household visit from 待办: checks prefilled from the roster, a measure with its due date, a filing one tap away', async () => {
    await page.getByTestId('nav-worklist').click();
    await listKind(page, 'household-visit');
    // The list as filtered: every item a household visit.
    await expect.poll(async () => (await page.getByTestId('work-item').allTextContents()).every((x) => x.includes('入户走访'))).toBe(true);
    const visits = await page.getByTestId('work-item').count();
    expect(visits).toBeGreaterThan(0);
    await page.getByTestId('work-item').first().click();
    await page.getByTestId('visit-form').waitFor();
    const householdId = new URL(page.url()).pathname.split('/')[2]!;
    await page.getByTestId('visit-met').first().check();
    // Prefilled from the roster: insured for this year where the roster says so.
    const insured = await page.evaluate(async (hid) => {
      const ms = (await (window as unknown as Win).cunyi.db().members.where('householdId').equals(hid).toArray()).filter((m) => m.state === 'active');
      return ms.map((m) => (m.insured.scheme !== 'none' && m.insured.year === new Date().getFullYear() ? 'yes' : ''));
    }, householdId);
    expect(insured).toContain('yes');
    expect(await page.getByTestId('visit-insured').evaluateAll((els) => els.map((e) => (e as HTMLSelectElement).value))).toEqual(insured);
    await page.getByTestId('visit-insured').first().selectOption('no');
    await page.getByTestId('visit-needsProxyFiling').first().selectOption('yes');
    await page.getByTestId('visit-start-filing').waitFor();
    await page.getByTestId('visit-add-finding').click();
    await page.getByTestId('save').click();
    await page.getByTestId('error-finding-0-problem').waitFor();
    await page.locator('#finding-0-problem').fill('今年未参保缴费');
    await page.locator('#finding-0-measure').fill('动员本周内到村委会缴费');
    const due = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    await page.locator('#finding-0-due').fill(due);
    // A photo of the visit, compressed and kept sealed until the visit reaches the county.
    await page.getByTestId('pick-visit').setInputFiles({ name: 'visit.jpg', mimeType: 'image/jpeg', buffer: await photoBytes(page, '入户走访') });
    await page.getByTestId('visit-photo').waitFor();
    await shotSizes(page, 'visit-form', page.getByTestId('visit-finding'));
    await shotSizes(page, 'visit-photos', page.getByTestId('visit-photos'));
    await page.getByTestId('save').click();
    await page.getByTestId('saved-notice').getByText('走访已保存').waitFor();
    await page.getByTestId('nav-worklist').click();
    await listKind(page, 'household-visit');
    await expect.poll(() => page.getByTestId('work-item').count()).toBe(visits - 1);
    await page.getByTestId('sync-now').click();
    await page.getByTestId('sync-pending').getByText('全部已上报').waitFor({ timeout: 30_000 });
    const rec = (await countyRecords()).filter((r) => r.entity === 'visit' && (r.data as { householdId?: string } | null)?.householdId === householdId);
    expect(rec).toHaveLength(1);
    expect((rec[0]!.data as { findings: { measure: string; due: string }[] }).findings[0]).toMatchObject({ measure: '动员本周内到村委会缴费', due });
    // The photo reached the county with the visit, and the county shows it.
    const photos = (rec[0]!.data as { photos?: { sha256: string; mime: string }[] }).photos ?? [];
    expect(photos).toHaveLength(1);
    expect(photos[0]!.mime).toBe('image/jpeg');
    const token = await countyToken(server.url);
    const got = await fetch(`${server.url}/api/visits/${rec[0]!.id}/photos/${photos[0]!.sha256}`, { headers: { ...API_HEADERS, authorization: `Bearer ${token}` } });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/jpeg');
  });

  it('村情 counts what was done, and lists the people behind a number', async () => {
    await page.getByTestId('nav-dashboard').click();
    await page.getByTestId('dash-village').first().waitFor();
    const villages = page.getByTestId('dash-village');
    const followed = await villages.getByTestId('dash-followedUpThisQuarter').allTextContents();
    expect(followed.some((x) => x.startsWith('1 /'))).toBe(true);
    const visited = await villages.getByTestId('dash-visitedThisQuarter').allTextContents();
    expect(visited.some((x) => x.startsWith('1 /'))).toBe(true);
    const i = followed.findIndex((x) => x.startsWith('1 /'));
    await villages.getByTestId('dash-followedUpThisQuarter').nth(i).click();
    // The person followed up, by name (not an id).
    await expect.poll(async () => (await page.getByTestId('dash-list').textContent()) ?? '').toBe(followedName);
    // The doctor's two villages are one township's: its total is their sum.
    const count = (t: string | null) => Number((t ?? '').split('/')[0]!.replace(/\D/g, ''));
    const perVillage = (await villages.getByTestId('dash-members').allTextContents()).map(count);
    expect(perVillage.length).toBeGreaterThan(1);
    expect(count(await page.getByTestId('dash-township-total').getByTestId('dash-members').textContent())).toBe(perVillage.reduce((a, b) => a + b, 0));
    await shotSizes(page, 'dashboard');
    expect(await smallTouchTargets(page)).toEqual([]);
  });

  it("marks an earlier visit's measure done at the next visit, and the measure leaves 待办", async () => {
    await page.getByTestId('nav-worklist').click();
    await listKind(page, 'measure');
    const item = page.getByTestId('work-item').filter({ hasText: '今年未参保缴费' });
    await item.first().waitFor();
    await item.first().click();
    await page.getByTestId('visit-form').waitFor();
    const householdId = new URL(page.url()).pathname.split('/')[2]!;
    const open = page.getByTestId('visit-open-measure').filter({ hasText: '动员本周内到村委会缴费' });
    await open.waitFor();
    await shotSizes(page, 'visit-open-measures', page.getByTestId('visit-open-measures'));
    await open.getByTestId('visit-measure-done').check();
    await page.getByTestId('save').click();
    await page.getByTestId('saved-notice').getByText('走访已保存').waitFor();
    await page.getByTestId('nav-worklist').click();
    await listKind(page, 'measure');
    expect(await page.getByTestId('work-item').filter({ hasText: '今年未参保缴费' }).count()).toBe(0);
    // The next visit there shows no open measure.
    await gotoApp(page, `${server.url}/households/${householdId}/visits/new`);
    await page.getByTestId('visit-form').waitFor();
    expect(await page.getByTestId('visit-open-measure').count()).toBe(0);
    await page.getByTestId('sync-now').click();
    await page.getByTestId('sync-pending').getByText('全部已上报').waitFor({ timeout: 30_000 });
    const visits = (await countyRecords()).filter((r) => r.entity === 'visit' && (r.data as { householdId?: string } | null)?.householdId === householdId);
    expect(visits).toHaveLength(2);
    const done = visits.flatMap((r) => (r.data as { findings: { measure: string; doneOn: string | null }[] }).findings).filter((f) => f.doneOn !== null);
    expect(done).toMatchObject([{ measure: '动员本周内到村委会缴费' }]);
  });

  it("signs a household's members in one go", async () => {
    const householdId = await page.evaluate(async () => {
      const d = (window as unknown as Win).cunyi.db();
      for (const h of await d.households.toArray()) if ((await d.members.where('householdId').equals(h.id).count()) >= 2) return h.id;
      throw new Error('no household of two');
    });
    await gotoApp(page, `${server.url}/households/${householdId}`);
    await page.getByTestId('new-contract').click();
    await page.getByTestId('contract-form').waitFor();
    await page.getByTestId('save').click();
    await page.getByTestId('error-memberIds').waitFor();
    await page.getByTestId('contract-member').nth(0).check();
    await page.getByTestId('contract-member').nth(1).check();
    await page.locator('#doctor').fill('王建国');
    await shotSizes(page, 'contract-form');
    await page.getByTestId('save').click();
    await page.getByTestId('saved-notice').getByText('已签约 2 人').waitFor();
    await page.getByTestId('sync-now').click();
    await page.getByTestId('sync-pending').getByText('全部已上报').waitFor({ timeout: 30_000 });
    const rec = (await countyRecords()).filter((r) => r.entity === ('contract' as never) && (r.data as { householdId?: string } | null)?.householdId === householdId);
    expect(rec).toHaveLength(2);
  });

  it('shows the county reviewer 村情 of the whole county online, by township, with what the tablet sent', async () => {
    const reviewer = await (await tabletContext(browser)).newPage();
    await reviewer.goto(`${server.url}/welcome`);
    await signIn(reviewer, server.url, 'county');
    await reviewer.getByTestId('nav-dashboard').click();
    await reviewer.getByTestId('dash-township').first().waitFor();
    // The county's total and the first township's villages; the doctor's visit counted there.
    const total = (await reviewer.getByTestId('dash-total').getByTestId('dash-members').textContent()) ?? '';
    expect(Number(total.replace(/\D/g, ''))).toBeGreaterThan(0);
    const visited = reviewer.getByTestId('dash-village').getByTestId('dash-visitedThisQuarter');
    const texts = await visited.allTextContents();
    const i = texts.findIndex((x) => x.startsWith('1 /'));
    expect(i, texts.join(' | ')).toBeGreaterThanOrEqual(0);
    await visited.nth(i).click();
    // The names arrive from the county (not the loading words, not ids).
    await expect.poll(async () => (await reviewer.getByTestId('dash-list').textContent()) ?? '').not.toMatch(/^$|正在读取|加载/);
    expect((await reviewer.getByTestId('dash-list').textContent()) ?? '').not.toMatch(/[0-9A-HJKMNP-TV-Z]{26}/);
    await shotSizes(reviewer, 'dashboard-county', reviewer.getByTestId('dash-list'));
    expect(await smallTouchTargets(reviewer)).toEqual([]);
    await reviewer.close();
  });
});
