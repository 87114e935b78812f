/**
 * Proxy filing on the tablet against the real county server: drafts saved on every change, queued
 * only when complete; photos uploaded in resumable chunks before the filing; a refused photo puts
 * the filing back to editing with the reason and nothing lost; a returned filing is corrected and
 * resubmitted as version 2; the pulled record keeps what the tablet is editing.
 */
import 'fake-indexeddb/auto';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPhoto, createFiling, editReturned, FilingError, needsAction, patchContent, queueFiling, removePhoto, setConsent, setField, shownStatus } from '../../src/client/db/filings.ts';
import { CunyiDb } from '../../src/client/db/schema.ts';
import { api, setApiBase } from '../../src/client/sync/api.ts';
import { syncNow } from '../../src/client/sync/engine.ts';
import { CHUNK_BYTES } from '../../src/client/sync/uploads.ts';
import { deviceId } from '../../src/client/sync/session.ts';
import { generateCounty } from '../../src/model/demo/index.ts';
import { PROTOCOL_VERSION } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { buildApp } from '../../src/server/app.ts';
import { createUser } from '../../src/server/auth.ts';
import { openDb } from '../../src/server/db.ts';
import { importCounty } from '../../src/server/sync/index.ts';
import { JPEG, png } from '../server/photos.ts';

let app: FastifyInstance;
let base = '';
const county = generateCounty({ seed: 4, members: 200 });
const TODAY = '2026-11-20';
const H = { 'x-cunyi-protocol': String(PROTOCOL_VERSION), 'content-type': 'application/json' };

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cunyi-filing-client-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  const sdb = await openDb({ dataDir: dir });
  await importCounty(sdb.db, county);
  await createUser(sdb.db, { username: 'doctor', displayName: '王医生', role: 'village-doctor', password: 'password-1', areas: ['141130'] });
  await createUser(sdb.db, { username: 'county', displayName: '县民政局', role: 'county-reviewer', password: 'password-1', areas: ['141130'] });
  await createUser(sdb.db, { username: 'township', displayName: '乡镇', role: 'township-reviewer', password: 'password-1', areas: ['141130'] });
  // These tests sign in more often than a person would: the sign-in limits are tested in test/server/accounts.test.ts.
  app = await buildApp({ db: sdb, distDir: dir, version: 'test', loginLimits: { perAddress: { max: 10_000, windowMs: 60_000 }, perUsername: { max: 10_000, windowMs: 60_000 }, lockout: { failures: 10_000, windowMs: 60_000, lockMs: 60_000 } } });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  setApiBase(base);
});
afterAll(async () => {
  await app?.close();
});

async function tablet(name: string): Promise<CunyiDb> {
  const d = new CunyiDb(`${name}-${Date.now()}-${Math.random()}`);
  const r = await api.login('doctor', 'password-1', await deviceId(d), name);
  await d.meta.put({ key: 'session', value: { token: r.token, expiresAt: r.expiresAt, username: 'doctor', role: 'village-doctor', areas: r.user.areas } });
  const out = await syncNow(undefined, d);
  expect(out?.error).toBeNull();
  return d;
}

const jpeg = () => new Blob([new Uint8Array(JPEG)], { type: 'image/jpeg' });
const bigPng = (seed: number) => new Blob([new Uint8Array(png(400, 300, seed))], { type: 'image/png' });

/** A complete care-grant filing (Shanxi) for a member, built through the tablet's own functions. */
async function completeGrant(d: CunyiDb, memberId: string, seed: number): Promise<string> {
  const f = await createFiling(memberId, 'critical-care-grant', d);
  await setField(f.id, 'grantDisease', 'lung-cancer', d);
  await setField(f.id, 'lateStage', 'yes', d);
  await setField(f.id, 'diagnosisDate', '2026-10-09', d);
  await setField(f.id, 'payee', '本人', d);
  await addPhoto(f.id, 'id-card', jpeg(), d);
  await addPhoto(f.id, 'diagnosis', bigPng(seed + 2), d);
  await addPhoto(f.id, 'application', bigPng(seed + 3), d);
  await setConsent(f.id, 'signature', '本人', bigPng(seed + 4), d);
  await patchContent(f.id, (c) => ({ ...c, villageConfirmation: { by: '村委会 王主任', date: '2026-11-01' } }), d);
  return f.id;
}

async function reviewerToken(username: string): Promise<string> {
  const r = await (await fetch(`${base}/api/login`, { method: 'POST', headers: H, body: JSON.stringify({ username, password: 'password-1', deviceId: ulid() }) })).json();
  return r.token as string;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function review(token: string, id: string, body?: Record<string, unknown>): Promise<any> {
  if (!body) return (await fetch(`${base}/api/review/filings/${id}`, { headers: { ...H, authorization: `Bearer ${token}` } })).json();
  const cur: { rev: number } = await review(token, id);
  const res: Response = await fetch(`${base}/api/review/filings/${id}/actions`, { method: 'POST', headers: { ...H, authorization: `Bearer ${token}` }, body: JSON.stringify({ ...body, rev: cur.rev }) });
  expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
  return res.json();
}

describe('proxy filing on the tablet', () => {
  const member = county.members[0]!;

  it('saves the draft on every change and queues it only when complete', async () => {
    const d = await tablet('draft');
    const f = await createFiling(member.id, 'critical-care-grant', d);
    await setField(f.id, 'payee', '本人', d);
    expect((await d.filings.get(f.id))!.content.fields.payee).toBe('本人');
    await expect(queueFiling(f.id, TODAY, d)).rejects.toSatisfy((e: unknown) => e instanceof FilingError && e.code === 'incomplete' && e.issues.some((i) => i.path === 'documents.id-card'));
    expect(await d.outbox.count()).toBe(0);
    expect(shownStatus((await d.filings.get(f.id))!)).toBe('draft');
    expect(needsAction((await d.filings.get(f.id))!)).toBe(1);
    // Not a supported image: refused before anything is stored.
    await expect(addPhoto(f.id, 'id-card', new Blob(['%PDF'], { type: 'application/pdf' }), d)).rejects.toBeInstanceOf(FilingError);
    const ref = await addPhoto(f.id, 'id-card', jpeg(), d);
    expect(await d.attachments.count()).toBe(1);
    // The same photo again, under any document: refused, nothing added.
    await expect(addPhoto(f.id, 'diagnosis', jpeg(), d)).rejects.toSatisfy((e: unknown) => e instanceof FilingError && e.code === 'duplicate');
    expect(await d.attachments.count()).toBe(1);
    expect((await d.filings.get(f.id))!.content.documents).toHaveLength(1);
    await removePhoto(f.id, ref.id, d);
    expect(await d.attachments.count()).toBe(0);
    expect((await d.filings.get(f.id))!.content.fields.payee).toBe('本人');
  });

  it('uploads the photos in chunks, resumes after a dropped connection, and submits once', async () => {
    const d = await tablet('resume');
    const id = await completeGrant(d, member.id, 0);
    await queueFiling(id, TODAY, d);
    expect(shownStatus((await d.filings.get(id))!)).toBe('queued');

    // The second chunk of the first large photo is lost on the way.
    const realFetch = globalThis.fetch;
    const puts: { offset: number; size: number }[] = [];
    let dropped = false;
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (init?.method === 'PUT') {
        const h = init.headers as Record<string, string>;
        puts.push({ offset: Number(h['x-cunyi-offset']), size: Number(h['x-cunyi-size']) });
        if (!dropped && Number(h['x-cunyi-offset']) === CHUNK_BYTES) {
          dropped = true;
          throw new TypeError('network connection lost');
        }
      }
      return realFetch(input, init);
    }) as typeof fetch;
    try {
      const first = await syncNow(undefined, d);
      expect(first?.error).toBe('offline');
      expect(shownStatus((await d.filings.get(id))!)).toBe('queued');
      const before = puts.length;
      const second = await syncNow(undefined, d);
      expect(second?.error).toBeNull();
      // Resumed where the county stopped: the lost chunk again, not the photo from the start.
      expect(puts[before]!.offset).toBe(CHUNK_BYTES);
    } finally {
      globalThis.fetch = realFetch;
    }
    const f = (await d.filings.get(id))!;
    expect(f.status).toBe('submitted');
    expect(await d.outbox.count()).toBe(0);
    expect((await d.attachments.where('filingId').equals(id).toArray()).every((a) => a.uploaded)).toBe(true);

    // The county holds it once, with every photo; a second sync sends nothing again.
    const token = await reviewerToken('county');
    const detail = await review(token, id);
    expect(detail.filing.content.documents).toHaveLength(4);
    const again = await syncNow(undefined, d);
    expect(again?.photos).toBe(0);
    expect(again?.pushed).toBe(0);
  });

  it('submits each filing as soon as its own photos are up, not after the whole queue', async () => {
    const d = await tablet('order');
    const a = await completeGrant(d, county.members[3]!.id, 30);
    const b = await completeGrant(d, county.members[4]!.id, 40);
    await queueFiling(a, TODAY, d);
    await queueFiling(b, TODAY, d);
    const blocked = (await d.filings.get(b))!.content.documents.find((x) => x.kind === 'diagnosis')!.sha256;
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (init?.method === 'PUT' && String(input).includes(blocked)) throw new TypeError('signal lost');
      return realFetch(input, init);
    }) as typeof fetch;
    try {
      expect((await syncNow(undefined, d))?.error).toBe('offline');
    } finally {
      globalThis.fetch = realFetch;
    }
    expect((await d.filings.get(a))!.status).toBe('submitted');
    expect(shownStatus((await d.filings.get(b))!)).toBe('queued');
    expect((await syncNow(undefined, d))?.error).toBeNull();
    expect((await d.filings.get(b))!.status).toBe('submitted');
  });

  it('a photo the county refuses puts the filing back to draft with the reason, nothing lost', async () => {
    const d = await tablet('refused');
    const id = await completeGrant(d, county.members[1]!.id, 10);
    await queueFiling(id, TODAY, d);
    // The stored bytes no longer match the hash the filing names (a damaged blob; photos are new to the county).
    const att = (await d.attachments.where('filingId').equals(id).toArray()).find((a) => a.kind === 'diagnosis')!;
    await d.attachments.update(att.id, { blob: bigPng(99) });
    const out = await syncNow(undefined, d);
    expect(out?.rejected).toBe(1);
    const f = (await d.filings.get(id))!;
    expect(shownStatus(f)).toBe('draft');
    expect(f.local?.problem?.code).toBe('hash-mismatch');
    expect(f.local?.problem?.message).toContain('diagnosis');
    expect(needsAction(f)).toBe(0);
    expect(f.content.documents).toHaveLength(4);
    expect(f.content.fields.payee).toBe('本人');
    expect(await d.outbox.count()).toBe(0);
    // Replace the photo and send again: accepted.
    const doc = f.content.documents.find((x) => x.kind === 'diagnosis')!;
    await removePhoto(id, doc.id, d);
    await addPhoto(id, 'diagnosis', bigPng(5), d);
    await queueFiling(id, TODAY, d);
    expect((await syncNow(undefined, d))?.error).toBeNull();
    expect((await d.filings.get(id))!.status).toBe('submitted');
    expect((await d.filings.get(id))!.local?.problem).toBeNull();
  });

  it('returned, corrected with another photo, resubmitted as version 2; the pull keeps the correction being edited', async () => {
    const d = await tablet('returned');
    const id = await completeGrant(d, county.members[2]!.id, 20);
    await queueFiling(id, TODAY, d);
    await syncNow(undefined, d);
    const township = await reviewerToken('township');
    await review(township, id, { action: 'return', reason: '诊断书不清楚' });
    await syncNow(undefined, d);
    let f = (await d.filings.get(id))!;
    expect(f.status).toBe('returned');
    expect(needsAction(f)).toBe(0);

    await editReturned(id, d);
    await addPhoto(id, 'diagnosis', bigPng(6), d);
    // A pull meanwhile does not lose the correction.
    await syncNow(undefined, d);
    f = (await d.filings.get(id))!;
    expect(f.local?.draft?.documents.filter((x) => x.kind === 'diagnosis')).toHaveLength(2);
    expect(f.content.documents.filter((x) => x.kind === 'diagnosis')).toHaveLength(1);

    await queueFiling(id, TODAY, d);
    expect(shownStatus((await d.filings.get(id))!)).toBe('queued');
    expect((await syncNow(undefined, d))?.error).toBeNull();
    f = (await d.filings.get(id))!;
    expect(f.status).toBe('submitted');
    expect(f.version).toBe(2);
    expect(f.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(f.content.documents).toHaveLength(5);
    expect(f.local?.draft).toBeNull();
    const detail = await review(township, id);
    expect(detail.filing.version).toBe(2);
    expect(detail.filing.versions[0].content.documents).toHaveLength(4);
  });
});
