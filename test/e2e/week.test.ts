/**
 * A week in the village from the work list alone, offline, on two tablets: the cadre visits a
 * household, the doctor follows up a hypertension patient whose pressure is poorly controlled; each
 * sees 村情 count it; twelve days later the doctor's 待办 shows the two-week re-check; back online the
 * county holds both, and the doctor's tablet no longer lists the household the cadre visited.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, countyRecords, launch, shotSizes, signIn, startServer, tabletContext, typePin, waitForServiceWorker, type Server } from './harness.ts';

type Win = { cunyi: { db(): import('../../src/client/db/schema.ts').CunyiDb } };

/** Picks a kind on 待办 and waits until the list shown is that kind's. */
async function listKind(page: Page, kind: string): Promise<void> {
  await page.getByTestId('nav-worklist').click();
  await page.getByTestId('worklist-kind').selectOption(kind);
  await page.locator(`[data-testid="worklist"][aria-busy="false"][data-filter="|${kind}"]`).waitFor();
}

/** The count before the slash of a figure on the village's 村情 card. */
async function figure(page: Page, village: string, key: string): Promise<number> {
  await page.getByTestId('nav-dashboard').click();
  const card = page.getByTestId('dash-village').filter({ has: page.getByRole('link', { name: village, exact: true }) });
  const text = (await card.getByTestId(`dash-${key}`).textContent()) ?? '';
  return Number(text.split('/')[0]!.replace(/\D/g, ''));
}

async function syncAll(page: Page): Promise<void> {
  await page.getByTestId('sync-now').click();
  await page.getByTestId('sync-pending').getByText('全部已上报').waitFor({ timeout: 60_000 });
}

describe.skipIf(!chromiumAvailable() && !process.env.CI)('a week in the village, offline, from 待办 alone', () => {
  let server: Server;
  let browser: Browser;
  const tablets: Record<'cadre' | 'doctor', { ctx: BrowserContext; page: Page }> = {} as never;

  beforeAll(async () => {
    server = await startServer({ demoMembers: 600 });
    browser = await launch();
    for (const who of ['cadre', 'doctor'] as const) {
      const ctx = await tabletContext(browser);
      const page = await ctx.newPage();
      await page.goto(`${server.url}/welcome`);
      await waitForServiceWorker(page);
      await signIn(page, server.url, who);
      await page.getByTestId('sync-pending').getByText('全部已上报').waitFor({ timeout: 60_000 });
      tablets[who] = { ctx, page };
    }
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('visit and follow-up offline, the re-check twelve days later, and the county sees both', async () => {
    const { cadre, doctor } = { cadre: tablets.cadre.page, doctor: tablets.doctor.page };
    await tablets.cadre.ctx.setOffline(true);
    await tablets.doctor.ctx.setOffline(true);

    // The cadre takes the first household visit due, and records it with a measure.
    await listKind(cadre, 'household-visit');
    const visitLink = (await cadre.getByTestId('work-item').first().getAttribute('href'))!;
    const householdId = visitLink.split('/')[2]!;
    const village = await cadre.evaluate(async (id) => {
      const d = (window as unknown as Win).cunyi.db();
      const h = (await d.households.get(id))!;
      return (await d.villages.get(h.villageId))!.name;
    }, householdId);
    const visitedBefore = await figure(cadre, village, 'visitedThisQuarter');
    await listKind(cadre, 'household-visit');
    await cadre.locator(`[data-testid="work-item"][href="${visitLink}"]`).first().click();
    await cadre.getByTestId('visit-form').waitFor();
    await cadre.getByTestId('visit-met').first().check();
    await cadre.getByTestId('visit-add-finding').click();
    await cadre.locator('#finding-0-problem').fill('门前积水');
    await cadre.locator('#finding-0-measure').fill('联系村里清理排水沟');
    await cadre.locator('#finding-0-due').fill(await cadre.evaluate(() => new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10)));
    await cadre.getByTestId('save').click();
    await cadre.getByTestId('saved-notice').getByText('走访已保存').waitFor();
    expect(await figure(cadre, village, 'visitedThisQuarter')).toBe(visitedBefore + 1);
    // The household has left the cadre's visits due.
    await listKind(cadre, 'household-visit');
    expect(await cadre.locator(`a[href="/households/${householdId}/visits/new"]`).count()).toBe(0);

    // The doctor takes a hypertension follow-up due (a patient the county certified a month ago), and finds the pressure poorly controlled.
    await doctor.evaluate(async () => {
      const api = (window as unknown as Win & { cunyi: { repo(): Promise<typeof import('../../src/client/db/repo.ts')> } }).cunyi;
      const d = api.db();
      const m = (await d.members.toArray()).find((x) => x.state === 'active' && x.birthDate < '1970-01-01')!;
      const month = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
      await (await api.repo()).addEnrolment({ memberId: m.id, villageId: m.villageId, packId: 'CN-140000-2017', entryId: 'hypertension-3', icd: 'I10', category: 'special', certifiedOn: month, hospital: '交口县人民医院', annualLimit: 0 });
    });
    await listKind(doctor, 'followup');
    const followupLink = (await doctor.locator('[data-testid="work-item"][href$="disease=hypertension"]').first().getAttribute('href'))!;
    const memberId = followupLink.split('/')[2]!;
    const patient = await doctor.evaluate(async (id) => {
      const d = (window as unknown as Win).cunyi.db();
      const m = (await d.members.get(id))!;
      return { name: m.name, village: (await d.villages.get(m.villageId))!.name };
    }, memberId);
    const followedBefore = await figure(doctor, patient.village, 'followedUpThisQuarter');
    await listKind(doctor, 'followup');
    await doctor.locator(`[data-testid="work-item"][href="${followupLink}"]`).first().click();
    await doctor.getByTestId('followup-form').waitFor();
    await doctor.locator('#sbp').fill('156');
    await doctor.locator('#dbp').fill('98');
    await doctor.locator('#heartRate').fill('80');
    await doctor.getByTestId('followup-class').getByText('控制不满意').waitFor();
    await doctor.getByTestId('save').click();
    await doctor.getByTestId('saved-notice').getByText('随访已保存').waitFor();
    expect(await figure(doctor, patient.village, 'followedUpThisQuarter')).toBe(followedBefore + 1);
    await listKind(doctor, 'followup');
    expect(await doctor.locator(`[data-testid="work-item"][href="${followupLink}"]`).count()).toBe(0);

    // Twelve days later, still offline: the re-check of the two-week rule is on 待办, due in two days.
    await tablets.doctor.ctx.clock.install();
    await doctor.clock.fastForward(12 * 86_400_000);
    if (await doctor.getByTestId('lock-overlay').isVisible()) {
      await typePin(doctor);
      await doctor.getByTestId('lock-overlay').waitFor({ state: 'detached' });
    }
    await listKind(doctor, 'recheck');
    const recheck = doctor.getByTestId('work-item').filter({ hasText: patient.name });
    await recheck.first().waitFor();
    expect(await recheck.first().getByTestId('work-state').textContent()).toBe('即将到期');
    await shotSizes(doctor, 'week-recheck');

    // Back online: the county holds both; the doctor's tablet learns of the cadre's visit.
    await tablets.cadre.ctx.setOffline(false);
    await tablets.doctor.ctx.setOffline(false);
    await syncAll(cadre);
    await syncAll(doctor);
    const county = await countyRecords(server.url);
    expect(county.filter((r) => r.entity === 'visit' && (r.data as { householdId?: string } | null)?.householdId === householdId)).toHaveLength(1);
    expect(county.filter((r) => r.entity === 'followup' && (r.data as { memberId?: string } | null)?.memberId === memberId)).toMatchObject([{ data: { classification: 'unsatisfactory' } }]);
    await syncAll(doctor);
    await listKind(doctor, 'household-visit');
    expect(await doctor.locator(`a[href="/households/${householdId}/visits/new"]`).count()).toBe(0);
  });
});
