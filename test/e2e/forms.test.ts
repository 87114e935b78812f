/**
 * Forms that keep what matters, in Chromium: the status form starts from the member's current
 * status; a future status date is refused; a wrong status is corrected or removed (removal asked
 * first); a chronic-disease certification is ended with a date and a confirmation and the ending
 * undone; removing a photo, approving and rejecting a filing are asked first in an in-app dialog;
 * and a draft typed one second before the browser is killed is there when it starts again.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CunyiDb } from '../../src/client/db/schema.ts';
import { chromiumAvailable, killBrowser, launch, launchPersistent, shotSizes, signIn, smallTouchTargets, startServer, tabletContext, gotoApp, reloadApp, waitForServiceWorker, type Server } from './harness.ts';

type Cunyi = {
  db: () => CunyiDb;
  filings: () => Promise<typeof import('../../src/client/db/filings.ts')>;
  sync: () => Promise<typeof import('../../src/client/sync/engine.ts')>;
  loadDemo: (opts: { members?: number }) => Promise<unknown>;
};
declare const window: Window & { cunyi: Cunyi };

/** An ISO date n days later (or earlier). */
const addDays = (iso: string, n: number) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
/** The tablet's today (its time zone is Asia/Shanghai, which need not be this machine's). */
let today = '';

/** Syncs from the page until nothing waits in the outbox; returns what the county refused or disputed. */
async function syncAll(page: Page): Promise<{ state: string; entity: string; op: string; message?: string }[]> {
  for (let i = 0; i < 20; i++) {
    const left = await page.evaluate(async () => {
      // Another sync of this device (the app's own, after a change) holds the lock: wait for it to end.
      if ((await (await window.cunyi.sync()).syncNow()) === null) await navigator.locks.request('cunyi-sync', async () => {});
      const rows = await window.cunyi.db().outbox.toArray();
      return { waiting: rows.filter((o) => o.state === undefined).length, settled: rows.filter((o) => o.state !== undefined).map((o) => ({ state: o.state!, entity: o.entity, op: o.op, message: o.result?.message })) };
    });
    if (left.waiting === 0) return left.settled;
  }
  throw new Error('the outbox did not empty');
}

describe.skipIf(!chromiumAvailable() && !process.env.CI)('forms in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let doctorCtx: BrowserContext;
  let doctor: Page;
  /** Members of the doctor's villages, picked from the downloaded roster. */
  let poorId: string;
  let enrolled: { memberId: string; enrolmentId: string; certifiedOn: string };

  beforeAll(async () => {
    server = await startServer({ demoMembers: 2000 });
    browser = await launch();
    doctorCtx = await tabletContext(browser);
    doctor = await doctorCtx.newPage();
    // Installed before going offline (the tests below open pages with the network cut).
    await doctor.goto(`${server.url}/welcome`);
    await waitForServiceWorker(doctor);
    await signIn(doctor, server.url, 'doctor');
    await doctor.getByTestId('sync-pending').getByText('全部已上报').waitFor({ timeout: 60_000 });
    today = await doctor.evaluate(() => {
      const d = new Date();
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    });
    const picked = await doctor.evaluate(async (today) => {
      const d = window.cunyi.db();
      const latest = new Map<string, { from: string; poverty: string; assistance: string | null }>();
      for (const s of await d.statuses.toArray()) if (s.from <= today && (!latest.has(s.memberId) || latest.get(s.memberId)!.from < s.from)) latest.set(s.memberId, s);
      const members = (await d.members.toArray()).filter((m) => m.state === 'active');
      const poor = members.filter((m) => latest.get(m.id)?.poverty === 'poor' && latest.get(m.id)?.assistance === null);
      const enrolments = (await d.enrolments.toArray()).filter((e) => e.endedOn === null && members.some((m) => m.id === e.memberId));
      const e = enrolments[0];
      if (!poor[0] || !e) throw new Error(`no member to test with: ${JSON.stringify({ members: members.length, statuses: [...latest.values()].map((s) => `${s.poverty}/${s.assistance}`), enrolments: enrolments.length })}`);
      return { poorId: poor[0].id, enrolled: { memberId: e.memberId, enrolmentId: e.id, certifiedOn: e.certifiedOn } };
    }, today);
    poorId = picked.poorId;
    enrolled = picked.enrolled;
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the status form opens with the current status; saving only 低保 keeps 建档立卡', async () => {
    await doctorCtx.setOffline(true);
    await gotoApp(doctor, `${server.url}/members/${poorId}`);
    expect(await doctor.getByTestId('current-status').textContent()).toBe('建档立卡贫困户');
    await gotoApp(doctor, `${server.url}/members/${poorId}/status/new`);
    await doctor.locator('#poverty').waitFor();
    expect(await doctor.locator('#poverty').inputValue()).toBe('poor');
    expect(await doctor.locator('#assistance').inputValue()).toBe('');
    await shotSizes(doctor, 'status-new-prefilled');
    expect(await smallTouchTargets(doctor)).toEqual([]);
    await doctor.locator('#assistance').selectOption('dibao');
    await doctor.locator('#note').fill('2026 年低保认定');
    await doctor.getByTestId('save').click();
    await doctor.waitForURL(`**/members/${poorId}`);
    await doctor.getByTestId('current-status').getByText('低保').waitFor();
    expect(await doctor.getByTestId('current-status').textContent()).toBe('建档立卡贫困户 · 低保');
    const saved = await doctor.evaluate(async (id) => (await window.cunyi.db().statuses.where('memberId').equals(id).toArray()).find((s) => s.note === '2026 年低保认定'), poorId);
    expect(saved).toMatchObject({ poverty: 'poor', assistance: 'dibao', poorClass: null });
  });

  it('a status dated in the future is refused, naming the field; nothing is saved', async () => {
    await doctorCtx.setOffline(true);
    const before = await doctor.evaluate(async (id) => window.cunyi.db().statuses.where('memberId').equals(id).count(), poorId);
    await gotoApp(doctor, `${server.url}/members/${poorId}/status/new`);
    await doctor.locator('#statusFrom').fill(addDays(today, 1));
    await doctor.locator('#poverty').selectOption('lifted');
    await doctor.getByTestId('save').click();
    await doctor.getByTestId('error-statusFrom').waitFor();
    expect(await doctor.getByTestId('error-statusFrom').textContent()).toBe('生效日期不能晚于今天');
    expect(await doctor.locator('#poverty').inputValue()).toBe('lifted'); // nothing typed is cleared
    await shotSizes(doctor, 'status-new-future-refused');
    expect(await doctor.evaluate(async (id) => window.cunyi.db().statuses.where('memberId').equals(id).count(), poorId)).toBe(before);
    // Leave without saving, then drop the draft so the next test starts clean.
    await gotoApp(doctor, `${server.url}/members/${poorId}`);
    await doctor.getByTestId('current-status').waitFor();
    await doctor.evaluate(async () => window.cunyi.db().drafts.clear());
  });

  it('a wrong status is corrected in place, and another removed after a confirmation', async () => {
    await doctorCtx.setOffline(true);
    await gotoApp(doctor, `${server.url}/members/${poorId}`);
    const rows = doctor.getByTestId('status-row');
    await rows.first().waitFor();
    const count = await rows.count();
    expect(count).toBeGreaterThanOrEqual(2);
    await shotSizes(doctor, 'member-status-history', rows.first());
    expect(await smallTouchTargets(doctor)).toEqual([]);

    // Correct the record pulled from the county (the oldest): its date was a day off.
    const pulled = await doctor.evaluate(async (id) => {
      const all = await window.cunyi.db().statuses.where('memberId').equals(id).sortBy('from');
      return all[0] as unknown as { id: string; from: string; rev?: number };
    }, poorId);
    expect(pulled.rev).toBeGreaterThan(0);
    await doctor.locator(`[data-testid="status-row"][data-id="${pulled.id}"]`).getByTestId('status-edit').click();
    await doctor.locator('#statusFrom').waitFor();
    expect(await doctor.locator('#statusFrom').inputValue()).toBe(pulled.from);
    await shotSizes(doctor, 'status-correct');
    const corrected = addDays(pulled.from, -1);
    await doctor.locator('#statusFrom').fill(corrected);
    await doctor.getByTestId('save').click();
    await doctor.waitForURL(`**/members/${poorId}`);
    const after = await doctor.evaluate(
      async ({ id }) => {
        const d = window.cunyi.db();
        const row = await d.statuses.get(id);
        const out = (await d.outbox.toArray()).filter((o) => o.entityId === id);
        const audit = await d.audit.where('[entity+entityId]').equals(['status', id]).toArray();
        return { from: row!.from, out: out.map((o) => ({ op: o.op, baseRev: o.baseRev, data: o.data })), audit: audit.map((a) => ({ action: a.action, changes: a.changes })) };
      },
      { id: pulled.id },
    );
    expect(after.from).toBe(corrected);
    expect(after.out).toEqual([{ op: 'update', baseRev: pulled.rev, data: { from: corrected } }]);
    expect(after.audit).toEqual([{ action: 'update', changes: { from: [pulled.from, corrected] } }]);

    // Remove the 低保 record typed in by mistake: asked first, and cancel keeps it.
    const dibao = doctor.getByTestId('status-row').filter({ hasText: '2026 年低保认定' });
    await dibao.getByTestId('status-remove').click();
    const dialog = doctor.getByTestId('confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('低保');
    await shotSizes(doctor, 'status-remove-confirm');
    expect(await smallTouchTargets(doctor)).toEqual([]);
    await dialog.getByTestId('confirm-no').click();
    await dialog.waitFor({ state: 'detached' });
    expect(await doctor.getByTestId('status-row').count()).toBe(count);
    await dibao.getByTestId('status-remove').click();
    await doctor.getByTestId('confirm-yes').click();
    await dibao.waitFor({ state: 'detached' });
    expect(await doctor.getByTestId('status-row').count()).toBe(count - 1);
    expect(await doctor.getByTestId('current-status').textContent()).toBe('建档立卡贫困户');
    const removed = await doctor.evaluate(async () => {
      const d = window.cunyi.db();
      const last = (await d.outbox.orderBy('seq').last())!;
      const audit = (await d.audit.where('[entity+entityId]').equals(['status', last.entityId]).toArray()).map((a) => a.action);
      return { op: last.op, entity: last.entity, stillThere: (await d.statuses.get(last.entityId)) !== undefined, audit };
    });
    expect(removed).toEqual({ op: 'delete', entity: 'status', stillThere: false, audit: ['create', 'delete'] });
  });

  it('ending a chronic-disease certification asks for the date and a confirmation, and can be undone', async () => {
    await doctorCtx.setOffline(true);
    const { memberId, enrolmentId, certifiedOn } = enrolled;
    await gotoApp(doctor, `${server.url}/members/${memberId}`);
    const row = doctor.locator(`[data-testid="enrolment-row"][data-id="${enrolmentId}"]`);
    // The disease by its Chinese name first, the code after it (not "I10 · 特殊慢性病").
    expect(await row.locator('.title').textContent()).toMatch(/^[\u4e00-\u9fff]/);
    await row.getByTestId('enrolment-end').click();
    const dialog = doctor.getByTestId('confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.locator('#endedOn').inputValue()).toBe(today);
    await shotSizes(doctor, 'enrolment-end-confirm');
    expect(await smallTouchTargets(doctor)).toEqual([]);
    // Before the certification: refused by name, nothing changes.
    await dialog.locator('#endedOn').fill(addDays(certifiedOn, -1));
    await dialog.getByTestId('confirm-yes').click();
    await dialog.getByTestId('error-endedOn').getByText('不能早于认定日期').waitFor();
    await dialog.locator('#endedOn').fill(addDays(today, 2));
    await dialog.getByTestId('confirm-yes').click();
    await dialog.getByTestId('error-endedOn').getByText('终止日期不能晚于今天').waitFor();
    await shotSizes(doctor, 'enrolment-end-refused');
    expect(await doctor.evaluate(async (id) => (await window.cunyi.db().enrolments.get(id))!.endedOn, enrolmentId)).toBeNull();
    const endOn = addDays(today, -1) >= certifiedOn ? addDays(today, -1) : certifiedOn;
    await dialog.locator('#endedOn').fill(endOn);
    await dialog.getByTestId('confirm-yes').click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByTestId('enrolment-undo').waitFor();
    expect(await doctor.evaluate(async (id) => (await window.cunyi.db().enrolments.get(id))!.endedOn, enrolmentId)).toBe(endOn);
    await shotSizes(doctor, 'enrolment-ended', row);
    await row.getByTestId('enrolment-undo').click();
    await row.getByTestId('enrolment-end').waitFor();
    const state = await doctor.evaluate(async (id) => {
      const d = window.cunyi.db();
      return {
        endedOn: (await d.enrolments.get(id))!.endedOn,
        out: (await d.outbox.toArray()).filter((o) => o.entityId === id).map((o) => o.data),
        audit: (await d.audit.where('[entity+entityId]').equals(['enrolment', id]).toArray()).map((a) => a.changes),
      };
    }, enrolmentId);
    expect(state).toEqual({ endedOn: null, out: [{ endedOn: endOn }, { endedOn: null }], audit: [{ endedOn: [null, endOn] }, { endedOn: [endOn, null] }] });
  });

  it('the county takes the corrections, the removal and the undo', async () => {
    await doctorCtx.setOffline(false);
    expect(await syncAll(doctor)).toEqual([]);
  });

  let filingId = '';

  it('removing a photo of a filing asks first', async () => {
    filingId = await doctor.evaluate(async (memberId) => {
      const f = await window.cunyi.filings();
      const row = await f.createFiling(memberId, 'critical-care-grant');
      const c = document.createElement('canvas');
      c.width = 800;
      c.height = 500;
      const g = c.getContext('2d')!;
      g.fillStyle = '#e8e0cc';
      g.fillRect(0, 0, 800, 500);
      g.fillStyle = '#333';
      g.font = '60px sans-serif';
      g.fillText('身份证 正面', 200, 260);
      const blob = await new Promise<Blob>((r) => c.toBlob((b) => r(b!), 'image/jpeg', 0.9));
      await f.addPhoto(row.id, 'id-card', blob);
      return row.id;
    }, poorId);
    await gotoApp(doctor, `${server.url}/filings/${filingId}`);
    const photo = doctor.getByTestId('photo-id-card');
    await photo.locator('img').waitFor();
    await photo.getByRole('button', { name: '删除照片' }).click();
    const dialog = doctor.getByTestId('confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('身份证');
    await dialog.locator('img').waitFor(); // the photo to be removed is shown in the question
    await shotSizes(doctor, 'photo-remove-confirm');
    expect(await smallTouchTargets(doctor)).toEqual([]);
    await dialog.getByTestId('confirm-no').click();
    await dialog.waitFor({ state: 'detached' });
    expect(await photo.count()).toBe(1);
    await photo.getByRole('button', { name: '删除照片' }).click();
    await doctor.getByTestId('confirm-yes').click();
    await photo.waitFor({ state: 'detached' });
    expect(await doctor.evaluate(async (id) => (await window.cunyi.db().filings.get(id))!.content.documents.length, filingId)).toBe(0);
  });

  it('approving and rejecting in review ask first, with the consequence', async () => {
    // The filing completed and sent through the app's own functions (the screens are tested in filing.test.ts).
    const issues = await doctor.evaluate(
      async ({ id, today }) => {
        const f = await window.cunyi.filings();
        const jpeg = async (text: string) => {
          const c = document.createElement('canvas');
          c.width = 600;
          c.height = 400;
          const g = c.getContext('2d')!;
          g.fillStyle = '#f4efe4';
          g.fillRect(0, 0, 600, 400);
          g.fillStyle = '#222';
          g.font = '48px sans-serif';
          g.fillText(text, 60, 200);
          return new Promise<Blob>((r) => c.toBlob((b) => r(b!), 'image/jpeg', 0.9));
        };
        for (const kind of ['id-card', 'diagnosis', 'application']) await f.addPhoto(id, kind, await jpeg(kind));
        await f.setField(id, 'grantDisease', 'lung-cancer');
        await f.setField(id, 'lateStage', 'yes');
        await f.setField(id, 'diagnosisDate', today);
        await f.setField(id, 'payee', '本人 · 农商银行 6230 **** 1234');
        await f.patchContent(id, (c) => ({ ...c, villageConfirmation: { by: '王家沟村委会 王主任', date: today } }));
        await f.setConsent(id, 'signature', '本人', await jpeg('签名'));
        const left = await f.filingIssues(id, today);
        if (left.length === 0) await f.queueFiling(id, today);
        return left;
      },
      { id: filingId, today: today },
    );
    expect(issues).toEqual([]);
    expect(await syncAll(doctor)).toEqual([]);

    const township = await (await tabletContext(browser)).newPage();
    await signIn(township, server.url, 'township');
    await gotoApp(township, `${server.url}/review/${filingId}`);
    await township.getByTestId('review-detail').waitFor();
    await township.getByTestId('approve').click();
    const dialog = township.getByTestId('confirm-dialog');
    await dialog.waitFor();
    await shotSizes(township, 'review-approve-confirm');
    expect(await smallTouchTargets(township)).toEqual([]);
    await dialog.getByTestId('confirm-no').click();
    await dialog.waitFor({ state: 'detached' });
    expect(await township.getByTestId('filing-status').textContent()).not.toContain('审核中');
    await township.getByTestId('approve').click();
    await township.getByTestId('confirm-yes').click();
    await township.getByTestId('filing-status').getByText('审核中').waitFor();

    const county = await (await tabletContext(browser)).newPage();
    await signIn(county, server.url, 'county');
    await gotoApp(county, `${server.url}/review/${filingId}`);
    await county.getByTestId('review-detail').waitFor();
    await county.getByTestId('review-reason').fill('诊断书未写明晚期，不符合条件');
    await county.getByTestId('reject').click();
    const reject = county.getByTestId('confirm-dialog');
    await reject.waitFor();
    expect(await reject.textContent()).toContain('诊断书未写明晚期，不符合条件');
    await shotSizes(county, 'review-reject-confirm');
    expect(await smallTouchTargets(county)).toEqual([]);
    await reject.getByTestId('confirm-no').click();
    await reject.waitFor({ state: 'detached' });
    expect(await county.getByTestId('filing-status').textContent()).not.toContain('未通过');
    expect(await county.getByTestId('review-reason').inputValue()).toBe('诊断书未写明晚期，不符合条件');
    await county.getByTestId('reject').click();
    await county.getByTestId('confirm-yes').click();
    await county.getByTestId('filing-status').getByText('未通过').waitFor();
    await township.context().close();
    await county.context().close();
  }, 180_000);

  it('a draft typed 1 s before the browser is killed is there when it starts again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunyi-profile-'));
    let ctx = await launchPersistent(dir);
    let page = ctx.pages()[0] ?? (await ctx.newPage());
    await gotoApp(page, `${server.url}/welcome`);
    await page.waitForFunction(() => 'cunyi' in window);
    await page.evaluate(async () => window.cunyi.loadDemo({ members: 200 }));
    const villageId = await page.evaluate(async () => (await window.cunyi.db().villages.orderBy('code').first())!.id);
    const formUrl = `${server.url}/households/new?village=${villageId}`;
    await gotoApp(page, formUrl);
    await page.locator('#address').waitFor();
    await page.locator('#number').fill('9017');
    await page.locator('#address').pressSequentially('王家沟三组17号', { delay: 30 });
    await page.waitForTimeout(1_000);
    await killBrowser(ctx, dir);

    ctx = await launchPersistent(dir);
    page = ctx.pages()[0] ?? (await ctx.newPage());
    await gotoApp(page, formUrl);
    await page.locator('#address').waitFor();
    await expect.poll(() => page.locator('#address').inputValue(), { timeout: 15_000 }).toBe('王家沟三组17号');
    expect(await page.locator('#number').inputValue()).toBe('9017');
    await page.getByTestId('draft-restored').waitFor();
    await shotSizes(page, 'draft-restored-after-kill');
    await ctx.close();
  }, 180_000);
});
