/**
 * Proxy filing end to end in Chromium: a doctor files Shanxi's 5,000 care grant offline with
 * photos and a drawn signature, reconnects, a township and a county reviewer act in the same app,
 * and the doctor's tablet shows the approved amount. Then a reimbursement returned for a better
 * invoice photo, corrected and resubmitted, approved and paid.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { chromiumAvailable, launch, shot, shotSizes, signIn, smallTouchTargets, startServer, tabletContext, waitForServiceWorker, gotoApp, reloadApp, countyToken, API_HEADERS, photoBytes, type Server } from './harness.ts';

const H = { 'x-cunyi-protocol': String(PROTOCOL_VERSION), 'content-type': 'application/json' };

async function syncUntil(page: Page, testId: string, status: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    await page.getByTestId('sync-now').click();
    try {
      await page.locator(`[data-testid="${testId}"][data-status="${status}"]`).first().waitFor({ timeout: 4_000 });
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
  }
}

async function drawSignature(page: Page): Promise<void> {
  const pad = page.getByTestId('signature-pad');
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + 40, box.y + box.height * 0.6);
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + 40 + i * 20, box.y + box.height * (0.6 - 0.3 * Math.sin(i / 3)));
  await page.mouse.up();
  await page.getByTestId('signature-done').click();
  await page.getByTestId('consent-done').waitFor();
}

describe.skipIf(!chromiumAvailable() && !process.env.CI)('proxy filing in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let doctorCtx: BrowserContext;
  let doctor: Page;
  let memberId: string;

  beforeAll(async () => {
    server = await startServer({ demoMembers: 600 });
    browser = await launch();
    doctorCtx = await tabletContext(browser);
    doctor = await doctorCtx.newPage();
    await gotoApp(doctor, `${server.url}/welcome`);
    await waitForServiceWorker(doctor);
    await signIn(doctor, server.url, 'doctor');
    await doctor.getByTestId('sync-pending').getByText('全部已上报').waitFor({ timeout: 60_000 });
    // A registered-poor member of the doctor's villages.
    memberId = await doctor.evaluate(async () => {
      const d = (window as unknown as { cunyi: { db: () => import('../../src/client/db/schema.ts').CunyiDb } }).cunyi.db();
      // Registered poor today: the latest status record says so.
      const latest = new Map<string, { from: string; poverty: string }>();
      for (const s of await d.statuses.toArray()) if (!latest.has(s.memberId) || latest.get(s.memberId)!.from < s.from) latest.set(s.memberId, s);
      const poor = new Set([...latest].filter(([, s]) => s.poverty === 'poor').map(([id]) => id));
      const members = await d.members.toArray();
      return members.find((m) => poor.has(m.id) && m.state === 'active')!.id;
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function reviewer(username: string): Promise<Page> {
    const ctx = await tabletContext(browser);
    const page = await ctx.newPage();
    const t0 = Date.now();
    await signIn(page, server.url, username);
    // A reviewer lands on the queue at once, with no roster downloaded.
    expect(new URL(page.url()).pathname).toBe('/review');
    await page.getByTestId('review-queue').waitFor();
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(await page.evaluate(async () => (window as unknown as { cunyi: { db(): import('../../src/client/db/schema.ts').CunyiDb } }).cunyi.db().members.count())).toBe(0);
    return page;
  }

  it('files the care grant offline with photos and a signature; nothing is queued until complete', async () => {
    const idCard = await photoBytes(doctor, 'ID 142330');
    const diagnosis = await photoBytes(doctor, '诊断书', 1800, 2400);
    const application = await photoBytes(doctor, '申请书', 1800, 2400);
    await doctorCtx.setOffline(true);
    await gotoApp(doctor, `${server.url}/members/${memberId}`);
    await doctor.getByTestId('new-filing').click();
    await doctor.getByTestId('start-critical-care-grant').waitFor();
    await shot(doctor, 'filing-types-800x1280');
    await doctor.getByTestId('start-critical-care-grant').click();
    await doctor.getByTestId('filing-missing').waitFor();
    await shot(doctor, 'filing-new-grant-800x1280');

    // Not complete: submitting is refused and lists what is missing.
    await doctor.getByTestId('queue-filing').click();
    await doctor.getByTestId('queue-refused').waitFor();
    expect(await doctor.getByTestId('filing-missing').textContent()).toContain('缺少照片：身份证');

    await doctor.getByTestId('field-grantDisease').selectOption({ index: 1 });
    // The grant's conditions are checked on the tablet as a warning: not at a late stage.
    await doctor.getByTestId('field-lateStage').selectOption('no');
    await doctor.getByTestId('grant-doubts').getByText('须为晚期患者').waitFor();
    await doctor.getByTestId('field-lateStage').selectOption('yes');
    await doctor.getByTestId('grant-doubts').waitFor({ state: 'detached' });
    await doctor.getByTestId('field-diagnosisDate').fill('2026-10-09');
    await doctor.getByTestId('field-payee').fill('本人 · 农商银行 6230 **** 1234');

    // A file that is not a photo is refused by name; what was entered stays.
    await doctor.getByTestId('pick-id-card').setInputFiles({ name: '身份证.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 not a photo') });
    await doctor.getByTestId('error-doc-id-card').getByText('“身份证.pdf”不是照片').waitFor();
    expect(await doctor.getByTestId('field-payee').inputValue()).toContain('6230');

    await doctor.getByTestId('camera-id-card').setInputFiles({ name: 'id.jpg', mimeType: 'image/jpeg', buffer: idCard });
    await doctor.getByTestId('photo-id-card').waitFor();
    await doctor.getByTestId('pick-diagnosis').setInputFiles({ name: 'diagnosis.jpg', mimeType: 'image/jpeg', buffer: diagnosis });
    await doctor.getByTestId('photo-diagnosis').waitFor();
    await doctor.getByTestId('pick-application').setInputFiles({ name: 'application.jpg', mimeType: 'image/jpeg', buffer: application });
    await doctor.getByTestId('photo-application').waitFor();
    // Turn the ID card photo a quarter: it is replaced, not added.
    await doctor.getByTestId('photo-id-card').getByRole('button', { name: '旋转' }).click();
    await doctor.waitForFunction(async () => {
      const d = (window as unknown as { cunyi: { db: () => import('../../src/client/db/schema.ts').CunyiDb } }).cunyi.db();
      const f = (await d.filings.toArray())[0]!;
      return f.content.documents.filter((x) => x.kind === 'id-card').length === 1 && (await d.attachments.toArray()).filter((a) => a.kind === 'id-card').length === 1;
    });
    await doctor.getByTestId('village-by').fill('王家沟村委会 王主任');
    await drawSignature(doctor);

    // Compressed on the device: about 1600 px on the long side, a few hundred KB, hashed.
    const stored = await doctor.evaluate(async () => {
      const api = (window as unknown as { cunyi: { db: () => import('../../src/client/db/schema.ts').CunyiDb; filings: () => Promise<typeof import('../../src/client/db/filings.ts')> } }).cunyi;
      const d = api.db();
      const { photoBlob } = await api.filings();
      const atts = await d.attachments.toArray();
      return Promise.all(
        atts.map(async (a) => {
          // Stored sealed: not an image as it is, the photo once opened with the profile's key.
          const asStored = await createImageBitmap(a.blob).then(
            () => 'image',
            () => 'sealed',
          );
          const bmp = await createImageBitmap(await photoBlob(a, d));
          return { kind: a.kind, size: a.size, long: Math.max(bmp.width, bmp.height), sha: a.sha256, asStored };
        }),
      );
    });
    expect(stored.map((s) => s.kind).sort()).toEqual(['application', 'consent', 'diagnosis', 'id-card']);
    for (const s of stored.filter((x) => x.kind !== 'consent')) {
      expect(s.long).toBe(1600);
      expect(s.size).toBeLessThan(700 * 1024);
      expect(s.sha).toMatch(/^[0-9a-f]{64}$/);
      expect(s.asStored).toBe('sealed');
    }
    expect(idCard.length).toBeGreaterThan(stored.find((s) => s.kind === 'id-card')!.size);

    await doctor.getByTestId('filing-missing').getByText('可以提交').waitFor();
    await shot(doctor, 'filing-complete-grant-800x1280');
    expect(await smallTouchTargets(doctor)).toEqual([]);
    await doctor.getByTestId('queue-filing').click();
    await doctor.locator('[data-testid="filing-status"][data-status="queued"]').waitFor();
    // A reload offline keeps it all: the queue lives in IndexedDB.
    await reloadApp(doctor);
    await doctor.locator('[data-testid="filing-status"][data-status="queued"]').waitFor();
    expect(await doctor.getByTestId('timeline').textContent()).toContain('已排队');
    await shot(doctor, 'filing-queued-offline-800x1280');
  }, 120_000);

  it('reaches the county with every photo once reconnected, and the reviewers act', async () => {
    await doctorCtx.setOffline(false);
    await syncUntil(doctor, 'filing-status', 'submitted');
    const filingId = doctor.url().split('/').pop()!;

    // The county holds the filing once, with all four photos verified.
    const login = await (await fetch(`${server.url}/api/login`, { method: 'POST', headers: H, body: JSON.stringify({ username: 'county', password: 'cunyi-demo', deviceId: ulid() }) })).json();
    const detail = await (await fetch(`${server.url}/api/review/filings/${filingId}`, { headers: { ...H, authorization: `Bearer ${login.token}` } })).json();
    expect(detail.filing.status).toBe('submitted');
    expect(detail.filing.content.documents).toHaveLength(4);
    for (const d of detail.filing.content.documents) {
      const r = await fetch(`${server.url}/api/filings/${filingId}/documents/${d.sha256}`, { headers: { authorization: `Bearer ${login.token}` } });
      expect(r.status).toBe(200);
      expect((await r.arrayBuffer()).byteLength).toBe(d.size);
    }

    const township = await reviewer('township');
    await township.getByTestId('review-row').first().waitFor();
    await shot(township, 'review-queue-800x1280');
    await township.getByTestId('review-row').first().click();
    await township.getByTestId('review-detail').waitFor();
    // What the tablet knew: who filed it and the member's status on the day.
    // A person's name, not a description of the role ("乡村医生：王家沟村、李家庄村").
    expect(await township.getByTestId('review-filed-by').textContent()).toMatch(/^[\u4e00-\u9fff]{2,4} \(doctor\) · 13800000001$/);
    // The doctor is one tap away on a phone.
    expect(await township.getByTestId('review-filer-phone').getAttribute('href')).toBe('tel:13800000001');
    await shotSizes(township, 'review-filed-by', township.getByTestId('review-knew'));
    expect(await township.getByTestId('review-status-on').textContent()).toMatch(/建档立卡贫困人口/);
    await township.getByTestId('review-photo').nth(3).waitFor();
    await township.getByTestId('review-photo').first().click();
    await township.getByTestId('photo-viewer').waitFor();
    await shot(township, 'review-photo-full-800x1280');
    // Esc closes it, and so does the tablet's back button, which leaves the page where it is.
    await township.keyboard.press('Escape');
    await township.getByTestId('photo-viewer').waitFor({ state: 'detached' });
    const at = township.url();
    await township.getByTestId('review-photo').first().click();
    await township.getByTestId('photo-viewer').waitFor();
    await township.goBack();
    await township.getByTestId('photo-viewer').waitFor({ state: 'detached' });
    expect(township.url()).toBe(at);
    await township.getByTestId('review-detail').waitFor();
    // A tap closes it too, without leaving the page.
    await township.getByTestId('review-photo').first().click();
    await township.getByTestId('photo-viewer').waitFor();
    // A double tap zooms (and scrolls to pan), another brings it back; then a tap closes it.
    await township.getByTestId('photo-viewer-image').dblclick();
    await township.locator('[data-testid="photo-viewer"][data-scale="2.5"]').waitFor();
    expect(await township.getByTestId('photo-viewer-image').evaluate((img) => img.getBoundingClientRect().width > window.innerWidth)).toBe(true);
    await township.getByTestId('photo-viewer-image').dblclick();
    await township.locator('[data-testid="photo-viewer"][data-scale="1"]').waitFor();
    await township.getByTestId('photo-viewer').click();
    await township.getByTestId('photo-viewer').waitFor({ state: 'detached' });
    expect(township.url()).toBe(at);
    await shot(township, 'review-township-800x1280');
    await township.getByTestId('approve').click();
    await township.getByTestId('confirm-yes').click(); // asked first (ConfirmDialog)
    await township.getByTestId('filing-status').getByText('审核中').waitFor();
    expect(await township.getByTestId('review-actions').count()).toBe(0);

    const county = await reviewer('county');
    await county.getByTestId('review-row').first().click();
    await county.getByTestId('review-detail').waitFor();
    expect(await county.getByTestId('approve-amount').getAttribute('placeholder')).toBe('5000.00');
    await shot(county, 'review-county-800x1280');
    await county.getByTestId('approve').click();
    await county.getByTestId('confirm-yes').click(); // asked first (ConfirmDialog)
    await county.getByTestId('filing-status').getByText('已批准').waitFor();

    // Away from the filing, the county's decision arrives by sync as a notice on every screen and a
    // badge on 代办, until the doctor opens the filing.
    const filingUrl = doctor.url();
    await gotoApp(doctor, `${server.url}/villages`);
    await syncUntil(doctor, 'filing-news', 'shown');
    expect(await doctor.getByTestId('filing-news').textContent()).toContain('已批准');
    expect(await doctor.getByTestId('filings-news-count').textContent()).toBe('1');
    await shot(doctor, 'filing-news-800x1280');
    await doctor.getByTestId('filing-news-open').click();
    expect(doctor.url()).toBe(filingUrl);
    await doctor.getByTestId('filing-status').waitFor();
    await doctor.getByTestId('nav-filings').click();
    await doctor.getByTestId('filings-news-count').waitFor({ state: 'detached' });
    expect(await doctor.getByTestId('filing-news').count()).toBe(0);
    await gotoApp(doctor, filingUrl);
    await syncUntil(doctor, 'filing-status', 'approved');
    const badge = await doctor.getByTestId('filing-status').textContent();
    expect(badge).toContain('已批准');
    expect(badge).toContain('¥5,000');
    const timeline = await doctor.getByTestId('timeline').textContent();
    expect(timeline).toContain('乡镇（街道办事处）审核：通过');
    expect(timeline).toContain('批准 ¥5,000.00');
    await shot(doctor, 'filing-approved-800x1280');
  }, 180_000);

  it('a returned filing is corrected with another photo, resubmitted, approved and paid', async () => {
    const invoice = await photoBytes(doctor, '发票 No.0012');
    // One photo a document: the same photo twice is refused.
    const others: Record<string, Buffer> = {};
    for (const kind of ['itemised-bill', 'discharge-summary', 'referral', 'id-card']) others[kind] = await photoBytes(doctor, `${kind} 清单`, 1800, 2400);
    await gotoApp(doctor, `${server.url}/members/${memberId}/filings/new`);
    await doctor.getByTestId('start-out-of-county').click();
    await doctor.getByTestId('field-admissionDate').fill('2026-10-02');
    await doctor.getByTestId('field-dischargeDate').fill('2026-10-12');
    await doctor.getByTestId('field-facility').selectOption('c:province');
    await doctor.getByTestId('field-total').fill('36000.00');
    await doctor.getByTestId('field-outOfCatalog').fill('4000.00');
    await doctor.getByTestId('field-payee').fill('本人');
    await doctor.getByTestId('estimate-patient').waitFor();
    for (const kind of ['invoice', 'itemised-bill', 'discharge-summary', 'referral', 'id-card']) {
      await doctor.getByTestId(`pick-${kind}`).setInputFiles({ name: `${kind}.jpg`, mimeType: 'image/jpeg', buffer: kind === 'invoice' ? invoice : others[kind]! });
      await doctor.getByTestId(`photo-${kind}`).first().waitFor();
    }
    await doctor.getByTestId('pick-referral').setInputFiles({ name: 'again.jpg', mimeType: 'image/jpeg', buffer: others['referral']! });
    await doctor.getByText('这张照片已经添加过').waitFor();
    expect(await doctor.getByTestId('photo-referral').count()).toBe(1);
    await drawSignature(doctor);
    await doctor.getByTestId('queue-filing').click();
    await syncUntil(doctor, 'filing-status', 'submitted');
    const filingId = doctor.url().split('/').pop()!;

    const county = await reviewer('county');
    await gotoApp(county, `${server.url}/review/${filingId}`);
    await county.getByTestId('comparison').waitFor();
    expect(await county.getByTestId('difference').count()).toBe(0);
    await county.getByTestId('return').click();
    await county.getByText('请填写原因').waitFor();
    await county.getByTestId('review-reason').fill('发票照片不清楚，请重拍发票');
    await county.getByTestId('return').click();
    await county.getByTestId('filing-status').getByText('被退回').waitFor();

    await syncUntil(doctor, 'filing-status', 'returned');
    expect(await doctor.getByTestId('returned-reason').textContent()).toContain('发票照片不清楚');
    await shot(doctor, 'filing-returned-800x1280');
    await doctor.getByTestId('correct-filing').click();
    // The editor leads with the reviewer's reason and says nothing has been corrected yet.
    expect(await doctor.getByTestId('editor-returned-reason').textContent()).toContain('发票照片不清楚');
    expect(await doctor.getByTestId('returned-progress').textContent()).toContain('还没有修改');
    await doctor.getByTestId('pick-invoice').setInputFiles({ name: 'invoice-2.jpg', mimeType: 'image/jpeg', buffer: await photoBytes(doctor, '发票 清晰') });
    await doctor.getByTestId('photo-invoice').nth(1).waitFor();
    await doctor.getByTestId('returned-progress').getByText('已有修改').waitFor();
    await shot(doctor, 'filing-correcting-800x1280');
    await doctor.getByTestId('queue-filing').click();
    await syncUntil(doctor, 'filing-status', 'submitted');
    expect(await doctor.getByTestId('versions').textContent()).toContain('第 2 版');

    await gotoApp(county, `${server.url}/review/${filingId}`);
    await county.getByTestId('review-member').getByText('第 2 版').waitFor();
    // Version 2 beside version 1, the change marked: another invoice photo.
    const changes = county.getByTestId('review-changes');
    await changes.waitFor();
    expect(await changes.locator('tr.changed').count()).toBeGreaterThanOrEqual(1);
    await changes.scrollIntoViewIfNeeded();
    await shot(county, 'review-changes-800x1280');
    // The amount is prefilled with what the county's own re-settlement gives the insurance layers.
    const token = await countyToken(server.url);
    const detail = (await (await fetch(`${server.url}/api/review/filings/${filingId}`, { headers: { ...API_HEADERS, authorization: `Bearer ${token}` } })).json()) as { resettlement: { payers: Record<string, number> } };
    const insured = ['basic', 'critical', 'backstop', 'supplementary'].reduce((n, k) => n + (detail.resettlement.payers[k] ?? 0), 0);
    expect(insured).toBeGreaterThan(0);
    expect(await county.getByTestId('approve-amount').inputValue()).toBe((insured / 100).toFixed(2));
    await county.getByTestId('approve-amount').fill('28500.00');
    await county.getByTestId('approve').click();
    await county.getByTestId('confirm-yes').click(); // asked first (ConfirmDialog)
    await county.getByTestId('filing-status').getByText('已批准').waitFor();
    await county.getByTestId('pay').click();
    await county.getByTestId('filing-status').getByText('已发放').waitFor();

    await syncUntil(doctor, 'filing-status', 'paid');
    expect(await doctor.getByTestId('filing-status').textContent()).toContain('¥28,500.00');
    const history = await doctor.getByTestId('versions').textContent();
    expect(history).toContain('第 1 版');
    expect(history).toContain('第 2 版');
    await shot(doctor, 'filing-paid-800x1280');

    // The doctor's list puts nothing in "needs action" now, and shows both filings.
    await gotoApp(doctor, `${server.url}/filings`);
    await doctor.getByTestId('filing-row').nth(1).waitFor();
    expect(await doctor.locator('[data-testid="filing-row"].attention').count()).toBe(0);
    expect(await doctor.getByTestId('filing-row').count()).toBe(2);
    await shot(doctor, 'filings-list-800x1280');
  }, 180_000);
});
