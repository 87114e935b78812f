/**
 * Proxy filing on the county server, on SQLite and PostgreSQL: chunked photo uploads, filings in
 * the push (refusals named, exactly once), the review workflow of Shanxi's critical-illness care
 * grant from the township to the county and back to the tablet, returns and resubmissions,
 * jurisdiction, the audit, the re-settlement of an out-of-county claim against the tablet's
 * estimate, and who may download a filing's photos.
 */
import type { FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCounty } from '../../src/model/demo/index.ts';
import { estimate, historyFromRecords, type PriorClaim } from '../../src/model/estimate.ts';
import { CONSENT_KIND, type DocumentRef, type FilingContent, type FilingEstimate, type FilingRecord } from '../../src/model/filing.ts';
import type { Member } from '../../src/model/roster.ts';
import { PROTOCOL_VERSION, type Mutation, type PulledRecord } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { builtinPack, PAYERS } from '../../src/rules/index.ts';
import { buildApp } from '../../src/server/app.ts';
import { createUser, setPhone } from '../../src/server/auth.ts';
import { importCounty } from '../../src/server/sync/index.ts';
import { BACKENDS, freshDb, MANY_LOGINS } from './backends.ts';
import { JPEG, png, sha256 } from './photos.ts';

const county = generateCounty({ seed: 9, members: 400 });
const villages = [...county.villages].sort((a, b) => a.code.localeCompare(b.code));
const mine = villages[0]!;
const township = mine.code.slice(0, 9);
const other = villages.find((v) => v.code.slice(0, 9) !== township)!;
const PASSWORD = 'a-good-password';
const PACK = builtinPack('CN-140000-2017');
const CHUNK = 256 * 1024;
const today = () => new Date().toISOString().slice(0, 10);

const membersOf = (villageId: string) => county.members.filter((m) => m.villageId === villageId);

function dist(): string {
  const d = mkdtempSync(join(tmpdir(), 'cunyi-dist-'));
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'index.html'), '<!doctype html><title>t</title>');
  return d;
}

interface Photo {
  bytes: Buffer;
  mime: string;
  sha: string;
}
let photoSeed = 1;
/** A distinct small PNG each call (or a JPEG when asked). */
function photo(kind: 'png' | 'jpeg' = 'png', size: [number, number] = [4, 4]): Photo {
  const bytes = kind === 'jpeg' ? JPEG : png(size[0], size[1], photoSeed++);
  return { bytes, mime: kind === 'jpeg' ? 'image/jpeg' : 'image/png', sha: sha256(bytes) };
}
const ref = (kind: string, p: Photo): DocumentRef => ({ id: ulid(), kind, sha256: p.sha, size: p.bytes.length, mime: p.mime });

for (const backend of BACKENDS) {
  describe(`proxy filing on ${backend}`, () => {
    let app: FastifyInstance;
    let sdb: Awaited<ReturnType<typeof freshDb>>;
    const H = { 'x-cunyi-protocol': String(PROTOCOL_VERSION) };
    const auths: Record<string, Record<string, string>> = {};

    beforeAll(async () => {
      sdb = await freshDb(backend);
      await importCounty(sdb.db, county);
      const users: [string, string, Parameters<typeof createUser>[1]['role'], string[]][] = [
        ['doctor', '张医生', 'village-doctor', [mine.code]],
        ['township', '石泉镇审核员', 'township-reviewer', [township]],
        ['township2', '另一乡镇审核员', 'township-reviewer', [other.code.slice(0, 9)]],
        ['county', '县民政局', 'county-reviewer', ['141130']],
        ['admin', '管理员', 'admin', []],
      ];
      for (const [username, displayName, role, areas] of users) await createUser(sdb.db, { username, displayName, role, password: PASSWORD, areas });
      app = await buildApp({ db: sdb, distDir: dist(), version: 'test', loginLimits: MANY_LOGINS });
      for (const [username] of users) {
        const r = await app.inject({ method: 'POST', url: '/api/login', headers: H, payload: { username, password: PASSWORD, deviceId: ulid(), deviceName: 'test' } });
        expect(r.statusCode, r.body).toBe(200);
        auths[username] = { ...H, authorization: `Bearer ${r.json().token}` };
      }
    });
    afterAll(async () => {
      await app?.close();
      await sdb?.drop();
    });

    const put = (who: string, sha: string, headers: Record<string, string | number>, body: Buffer) =>
      app.inject({
        method: 'PUT',
        url: `/api/sync/uploads/${sha}`,
        headers: { ...auths[who], 'content-type': 'application/octet-stream', ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])) },
        payload: body,
      });
    const status = (who: string, sha: string) => app.inject({ method: 'GET', url: `/api/sync/uploads/${sha}`, headers: auths[who] });
    /** Uploads a photo whole, chunk by chunk, as the tablet does. */
    const upload = async (p: Photo, who = 'doctor') => {
      for (let offset = 0; offset < p.bytes.length; offset += CHUNK) {
        const r = await put(who, p.sha, { 'x-cunyi-size': p.bytes.length, 'x-cunyi-mime': p.mime, 'x-cunyi-offset': offset }, p.bytes.subarray(offset, offset + CHUNK));
        expect(r.statusCode, r.body).toBe(200);
      }
      return p;
    };
    const push = async (who: string, mutations: Partial<Mutation>[]) => {
      const r = await app.inject({ method: 'POST', url: '/api/sync/push', headers: auths[who], payload: { protocol: PROTOCOL_VERSION, mutations } });
      expect(r.statusCode, r.body).toBe(200);
      return r.json().results;
    };
    const pullAll = async (who: string) => {
      const out: PulledRecord[] = [];
      let since = 0;
      for (;;) {
        const b = (await app.inject({ method: 'GET', url: `/api/sync/pull?since=${since}&limit=1000`, headers: auths[who] })).json();
        out.push(...b.records);
        since = b.checkpoint;
        if (b.remaining === 0) return out;
      }
    };
    const list = (who: string, query = '') => app.inject({ method: 'GET', url: `/api/review/filings${query}`, headers: auths[who] });
    const detail = (who: string, id: string) => app.inject({ method: 'GET', url: `/api/review/filings/${id}`, headers: auths[who] });
    const act = (who: string, id: string, body: Record<string, unknown>) => app.inject({ method: 'POST', url: `/api/review/filings/${id}/actions`, headers: auths[who], payload: body });

    /** A complete critical-care grant content with its photos uploaded. */
    const grantContent = async (member: Member): Promise<FilingContent> => {
      const consent = await upload(photo('jpeg'));
      const docs = [ref('id-card', await upload(photo())), ref('diagnosis', await upload(photo())), ref('application', await upload(photo())), ref(CONSENT_KIND, consent)];
      return {
        fields: { grantDisease: 'lung-cancer', lateStage: 'yes', diagnosisDate: '2026-03-01', payee: member.name },
        documents: docs,
        consent: { method: 'signature', signer: member.name, at: '2026-03-05T02:00:00.000Z', sha256: consent.sha },
        villageConfirmation: { by: '王家沟村委会 王主任', date: '2026-03-05' },
        estimate: null,
      };
    };
    const create = (member: Member, type: string, content: FilingContent, id = ulid()): Partial<Mutation> => ({
      id: ulid(),
      entity: 'filing',
      entityId: id,
      op: 'create',
      baseRev: null,
      data: { id, memberId: member.id, householdId: member.householdId, villageId: member.villageId, packId: PACK.id, type, version: 1, content, createdAt: new Date().toISOString() },
      createdAt: new Date().toISOString(),
    });
    /** Files a complete grant for a member of the doctor's village; returns its id. */
    const fileGrant = async (member = membersOf(mine.id)[0]!) => {
      const m = create(member, 'critical-care-grant', await grantContent(member));
      expect((await push('doctor', [m]))[0]).toMatchObject({ status: 'applied', rev: 1 });
      return m.entityId!;
    };

    describe('photo uploads', () => {
      it('takes a photo in two chunks, resumes after an offset mismatch, and is idempotent once complete', async () => {
        const p = photo('png', [300, 300]); // about 270 KB: two chunks
        expect(p.bytes.length).toBeGreaterThan(CHUNK);
        expect((await status('doctor', p.sha)).statusCode).toBe(404);
        const h = { 'x-cunyi-size': p.bytes.length, 'x-cunyi-mime': p.mime };
        const first = await put('doctor', p.sha, { ...h, 'x-cunyi-offset': 0 }, p.bytes.subarray(0, CHUNK));
        expect(first.json()).toEqual({ received: CHUNK, complete: false });
        expect((await status('doctor', p.sha)).json()).toEqual({ sha256: p.sha, size: p.bytes.length, mime: 'image/png', received: CHUNK, complete: false });
        // The first chunk again (a lost answer): the server says where to resume.
        const again = await put('doctor', p.sha, { ...h, 'x-cunyi-offset': 0 }, p.bytes.subarray(0, CHUNK));
        expect(again.statusCode).toBe(409);
        expect(again.json().error).toMatchObject({ code: 'offset-mismatch', received: CHUNK });
        const ahead = await put('doctor', p.sha, { ...h, 'x-cunyi-offset': CHUNK + 10 }, p.bytes.subarray(CHUNK + 10));
        expect(ahead.statusCode).toBe(409);
        const resumeAt = again.json().error.received as number;
        const last = await put('doctor', p.sha, { ...h, 'x-cunyi-offset': resumeAt }, p.bytes.subarray(resumeAt));
        expect(last.json()).toEqual({ received: p.bytes.length, complete: true });
        // Complete: any further PUT answers complete and changes nothing.
        const replay = await put('doctor', p.sha, { ...h, 'x-cunyi-offset': 0 }, p.bytes.subarray(0, CHUNK));
        expect(replay.json()).toEqual({ received: p.bytes.length, complete: true });
        const row = await sdb.db.selectFrom('uploads').selectAll().where('sha256', '=', p.sha).executeTakeFirstOrThrow();
        expect(sha256(Buffer.from(row.data))).toBe(p.sha);
        expect(row).toMatchObject({ size: p.bytes.length, received: p.bytes.length, complete: 1, mime: 'image/png' });
      });

      it('drops a photo whose bytes hash to something else', async () => {
        const p = photo('png', [300, 300]);
        const claimed = sha256(Buffer.from('another photo'));
        const h = { 'x-cunyi-size': p.bytes.length, 'x-cunyi-mime': p.mime };
        expect((await put('doctor', claimed, { ...h, 'x-cunyi-offset': 0 }, p.bytes.subarray(0, CHUNK))).statusCode).toBe(200);
        const r = await put('doctor', claimed, { ...h, 'x-cunyi-offset': CHUNK }, p.bytes.subarray(CHUNK));
        expect(r.statusCode).toBe(422);
        expect(r.json().error.code).toBe('hash-mismatch');
        expect((await status('doctor', claimed)).statusCode).toBe(404);
        expect(await sdb.db.selectFrom('uploads').select('sha256').where('sha256', '=', claimed).executeTakeFirst()).toBeUndefined();
      });

      it('refuses photos over 5 MB, chunks over the limit, other types and bytes that are not the declared image', async () => {
        const p = photo();
        const big = await put('doctor', p.sha, { 'x-cunyi-size': 6 * 1024 * 1024, 'x-cunyi-mime': 'image/png', 'x-cunyi-offset': 0 }, p.bytes);
        expect(big.statusCode).toBe(413);
        expect(big.json().error).toMatchObject({ code: 'too-large', path: 'headers.x-cunyi-size' });
        const hugeChunk = Buffer.alloc(400 * 1024, 1);
        const tooBig = await put('doctor', sha256(hugeChunk), { 'x-cunyi-size': hugeChunk.length, 'x-cunyi-mime': 'image/png', 'x-cunyi-offset': 0 }, hugeChunk);
        expect(tooBig.statusCode).toBe(413);
        expect(tooBig.json().error.code).toBe('too-large');
        const gif = await put('doctor', p.sha, { 'x-cunyi-size': p.bytes.length, 'x-cunyi-mime': 'image/gif', 'x-cunyi-offset': 0 }, p.bytes);
        expect(gif.statusCode).toBe(415);
        expect(gif.json().error).toMatchObject({ code: 'not-an-image', path: 'headers.x-cunyi-mime' });
        const text = Buffer.from('这不是照片, just some text pretending to be a photo');
        const fake = await put('doctor', sha256(text), { 'x-cunyi-size': text.length, 'x-cunyi-mime': 'image/jpeg', 'x-cunyi-offset': 0 }, text);
        expect(fake.statusCode).toBe(415);
        expect(fake.json().error.code).toBe('not-an-image');
        expect((await status('doctor', sha256(text))).statusCode).toBe(404);
        // A PNG declared as JPEG is not a JPEG.
        const wrong = await put('doctor', p.sha, { 'x-cunyi-size': p.bytes.length, 'x-cunyi-mime': 'image/jpeg', 'x-cunyi-offset': 0 }, p.bytes);
        expect(wrong.statusCode).toBe(415);
        const missing = await put('doctor', p.sha, { 'x-cunyi-mime': 'image/png', 'x-cunyi-offset': 0 }, p.bytes);
        expect(missing.json().error).toMatchObject({ code: 'invalid', path: 'headers.x-cunyi-size' });
        const badSha = await put('doctor', 'ABC', { 'x-cunyi-size': p.bytes.length, 'x-cunyi-mime': 'image/png', 'x-cunyi-offset': 0 }, p.bytes);
        expect(badSha.json().error).toMatchObject({ code: 'invalid', path: 'sha256' });
      });

      it('takes photos only from village doctors and cadres, and only with the protocol header', async () => {
        const p = photo();
        const r = await put('township', p.sha, { 'x-cunyi-size': p.bytes.length, 'x-cunyi-mime': p.mime, 'x-cunyi-offset': 0 }, p.bytes);
        expect(r.statusCode).toBe(403);
        expect(r.json().error.code).toBe('forbidden');
        expect((await status('county', p.sha)).statusCode).toBe(403);
        const noHeader = await app.inject({ method: 'GET', url: `/api/sync/uploads/${p.sha}`, headers: { authorization: auths.doctor!.authorization! } });
        expect(noHeader.json().error).toMatchObject({ code: 'invalid', path: 'headers.x-cunyi-protocol' });
      });
    });

    describe('filings in the push', () => {
      it('refuses a filing whose photos are not on the server, naming the document', async () => {
        const member = membersOf(mine.id)[0]!;
        const content = await grantContent(member);
        const notUploaded = photo();
        content.documents = content.documents.map((d) => (d.kind === 'diagnosis' ? ref('diagnosis', notUploaded) : d));
        const [r] = await push('doctor', [create(member, 'critical-care-grant', content)]);
        expect(r).toMatchObject({ status: 'rejected', code: 'document-missing' });
        expect(r.message).toContain('diagnosis');
        expect(r.message).toContain('医疗诊断书');
        // Uploaded with another size than the filing says: also missing.
        const wrongSize = await grantContent(member);
        wrongSize.documents[0] = { ...wrongSize.documents[0]!, size: wrongSize.documents[0]!.size + 1 };
        expect((await push('doctor', [create(member, 'critical-care-grant', wrongSize)]))[0]).toMatchObject({ status: 'rejected', code: 'document-missing' });
      });

      it('refuses an incomplete filing, naming the field', async () => {
        const member = membersOf(mine.id)[0]!;
        const content = await grantContent(member);
        delete content.fields.payee;
        content.fields.diagnosisDate = '2999-01-01';
        const [r] = await push('doctor', [create(member, 'critical-care-grant', content)]);
        expect(r).toMatchObject({ status: 'rejected', code: 'incomplete' });
        expect(r.message).toContain('fields.payee');
        expect(r.message).toContain('fields.diagnosisDate');
        const noConfirmation = { ...(await grantContent(member)), villageConfirmation: null };
        const [v] = await push('doctor', [create(member, 'critical-care-grant', noConfirmation)]);
        expect(v.message).toContain('villageConfirmation');
        const [t] = await push('doctor', [create(member, 'no-such-type', await grantContent(member))]);
        expect(t).toMatchObject({ status: 'rejected', code: 'invalid' });
        expect(t.message).toContain('type');
        const [shape] = await push('doctor', [create(member, 'critical-care-grant', { ...(await grantContent(member)), fields: 'x' } as unknown as FilingContent)]);
        expect(shape).toMatchObject({ status: 'rejected', code: 'invalid' });
        expect(shape.message).toContain('content.fields');
      });

      it('refuses filings for members outside the user’s villages or not in that household', async () => {
        const outsider = membersOf(other.id)[0]!;
        const [r] = await push('doctor', [create(outsider, 'critical-care-grant', await grantContent(outsider))]);
        expect(r).toMatchObject({ status: 'rejected', code: 'forbidden' });
        const member = membersOf(mine.id)[0]!;
        const m = create(member, 'critical-care-grant', await grantContent(member));
        (m.data as Record<string, unknown>).householdId = county.households.find((h) => h.id !== member.householdId)!.id;
        const [h] = await push('doctor', [m]);
        expect(h).toMatchObject({ status: 'rejected', code: 'invalid' });
        expect(h.message).toContain('householdId');
        const [n] = await push('doctor', [create({ ...member, id: ulid() }, 'critical-care-grant', await grantContent(member))]);
        expect(n).toMatchObject({ status: 'rejected', code: 'not-found' });
        // A reviewer does not file.
        const [reviewer] = await push('county', [create(member, 'critical-care-grant', await grantContent(member))]);
        expect(reviewer).toMatchObject({ status: 'rejected', code: 'forbidden' });
      });

      it('stores a filing once however often it is sent, and never deletes one', async () => {
        const member = membersOf(mine.id)[1]!;
        const m = create(member, 'critical-care-grant', await grantContent(member));
        const [first] = await push('doctor', [m]);
        const [again] = await push('doctor', [m]);
        expect(first).toEqual({ id: m.id, status: 'applied', rev: 1 });
        expect(again).toEqual(first);
        const rows = await sdb.db.selectFrom('records').select('id').where('entity', '=', 'filing').where('id', '=', m.entityId!).execute();
        expect(rows).toHaveLength(1);
        const pulled = (await pullAll('doctor')).filter((r) => r.entity === 'filing' && r.id === m.entityId);
        expect(pulled).toHaveLength(1);
        expect(pulled[0]!.data).toMatchObject({ id: m.entityId, status: 'submitted', stage: 'township', version: 1, memberId: member.id });
        const [del] = await push('doctor', [{ id: ulid(), entity: 'filing', entityId: m.entityId!, op: 'delete', baseRev: null, data: {}, createdAt: new Date().toISOString() }]);
        expect(del).toMatchObject({ status: 'rejected', code: 'forbidden' });
        // Sent again under another mutation id: it exists.
        expect((await push('doctor', [{ ...m, id: ulid() }]))[0]).toMatchObject({ status: 'rejected', code: 'exists' });
        // A resubmission of a filing that was not returned.
        const [re] = await push('doctor', [{ id: ulid(), entity: 'filing', entityId: m.entityId!, op: 'update', baseRev: 1, data: { version: 2, content: m.data!.content }, createdAt: new Date().toISOString() }]);
        expect(re).toMatchObject({ status: 'rejected', code: 'wrong-status' });
      });
    });

    describe('review', () => {
      it('runs the grant from the township to the county civil affairs bureau, and the tablet sees it paid', async () => {
        const id = await fileGrant();
        const queue = await list('township', '?actionable=1');
        expect(queue.statusCode, queue.body).toBe(200);
        const summary = queue.json().filings.find((f: { id: string }) => f.id === id);
        expect(summary).toMatchObject({ status: 'submitted', stage: 'township', canAct: true, rev: 1, type: 'critical-care-grant', village: { id: mine.id, code: mine.code, name: mine.name }, amount: null });
        expect(summary.stageTitle).toContain('乡镇');
        expect(summary.typeTitle).toContain('大病关怀');
        expect(typeof summary.member.age).toBe('number');
        // The county sees it but cannot act yet.
        const countyView = (await list('county')).json().filings.find((f: { id: string }) => f.id === id);
        expect(countyView.canAct).toBe(false);
        expect((await list('county', '?actionable=1')).json().filings.map((f: { id: string }) => f.id)).not.toContain(id);

        const received = await act('township', id, { action: 'receive', rev: 1 });
        expect(received.statusCode, received.body).toBe(200);
        expect(received.json()).toMatchObject({ rev: 2, filing: { status: 'received', stage: 'township' }, canAct: true });
        expect(received.json().actions).toEqual(['approve', 'return', 'reject']);
        const advanced = await act('township', id, { action: 'approve', rev: 2 });
        expect(advanced.json()).toMatchObject({ rev: 3, filing: { status: 'in-review', stage: 'civil-affairs' }, canAct: false, actions: [] });
        // The township cannot act at the county's stage.
        const notYours = await act('township', id, { action: 'approve', rev: 3 });
        expect(notYours.statusCode).toBe(403);
        expect(notYours.json().error.code).toBe('forbidden');

        const approved = await act('county', id, { action: 'approve', rev: 3 });
        expect(approved.statusCode, approved.body).toBe(200);
        expect(approved.json()).toMatchObject({ rev: 4, filing: { status: 'approved', amount: 500_000 }, actions: ['pay'] });
        const badDate = await act('county', id, { action: 'pay', rev: 4, paidOn: 'yesterday' });
        expect(badDate.statusCode).toBe(400);
        expect(badDate.json().error).toMatchObject({ code: 'invalid', path: 'paidOn' });
        const paid = await act('county', id, { action: 'pay', rev: 4, paidOn: today(), reference: 'MZ-2026-0001' });
        expect(paid.json()).toMatchObject({ rev: 5, filing: { status: 'paid', amount: 500_000 } });
        expect((await act('county', id, { action: 'pay', rev: 5, paidOn: today() })).statusCode).toBe(409);

        const rec = (await pullAll('doctor')).filter((r) => r.entity === 'filing' && r.id === id).at(-1)!;
        const f = rec.data as unknown as FilingRecord;
        expect(f.status).toBe('paid');
        expect(f.amount).toBe(500_000);
        expect(f.events.map((e) => [e.action, e.stage, e.by, e.role])).toEqual([
          ['submitted', 'township', 'doctor', 'village-doctor'],
          ['received', 'township', 'township', 'township-reviewer'],
          ['advanced', 'township', 'township', 'township-reviewer'],
          ['approved', 'civil-affairs', 'county', 'county-reviewer'],
          ['paid', 'civil-affairs', 'county', 'county-reviewer'],
        ]);
        expect(f.events[0]!.byName).toBe('张医生');
        expect(f.events.at(-1)).toMatchObject({ paidOn: today(), reference: 'MZ-2026-0001', amount: 500_000 });

        const audit = paid.json().audit as { action: string; username: string; role: string; at: string; deviceId: string; amount: number | null }[];
        expect(audit.map((a) => [a.action, a.username, a.role])).toEqual([
          ['submitted', 'doctor', 'village-doctor'],
          ['received', 'township', 'township-reviewer'],
          ['advanced', 'township', 'township-reviewer'],
          ['approved', 'county', 'county-reviewer'],
          ['paid', 'county', 'county-reviewer'],
        ]);
        expect(audit.every((a) => !Number.isNaN(Date.parse(a.at)) && a.deviceId.length === 26)).toBe(true);
        expect(audit[3]!.amount).toBe(500_000);
      });

      it('approves an amount typed in yuan, refusing one that is not money', async () => {
        const id = await fileGrant(membersOf(mine.id)[2] ?? membersOf(mine.id)[0]!);
        await act('township', id, { action: 'approve', rev: 1 });
        const bad = await act('county', id, { action: 'approve', rev: 2, amount: '3000.555' });
        expect(bad.statusCode).toBe(400);
        expect(bad.json().error).toMatchObject({ code: 'invalid', path: 'amount' });
        const float = await act('county', id, { action: 'approve', rev: 2, amount: 3000.5 });
        expect(float.json().error).toMatchObject({ code: 'invalid', path: 'amount' });
        const ok = await act('county', id, { action: 'approve', rev: 2, amount: '3000.50' });
        expect(ok.json().filing).toMatchObject({ status: 'approved', amount: 300_050 });
      });

      it('returns a filing with a reason; the corrected version goes back to the stage that returned it; then a rejection', async () => {
        const member = membersOf(mine.id)[0]!;
        const id = await fileGrant(member);
        const noReason = await act('township', id, { action: 'return', rev: 1 });
        expect(noReason.statusCode).toBe(400);
        expect(noReason.json().error).toMatchObject({ code: 'invalid', path: 'reason' });
        await act('township', id, { action: 'approve', rev: 1 });
        const returned = await act('county', id, { action: 'return', rev: 2, reason: '诊断书缺少医院盖章' });
        expect(returned.json()).toMatchObject({ rev: 3, filing: { status: 'returned', stage: 'civil-affairs' } });

        // The tablet pulls the return, the doctor adds a clearer photo and resubmits.
        const pulled = (await pullAll('doctor')).filter((r) => r.id === id).at(-1)!;
        expect(pulled.data).toMatchObject({ status: 'returned' });
        const v1 = (pulled.data as unknown as FilingRecord).content;
        const clearer = await upload(photo());
        const v2: FilingContent = { ...v1, documents: [...v1.documents.filter((d) => d.kind !== 'diagnosis'), ref('diagnosis', clearer)] };
        const skip = await push('doctor', [{ id: ulid(), entity: 'filing', entityId: id, op: 'update', baseRev: 3, data: { version: 3, content: v2 }, createdAt: new Date().toISOString() }]);
        expect(skip[0]).toMatchObject({ status: 'rejected', code: 'invalid' });
        expect(skip[0].message).toContain('version');
        const [re] = await push('doctor', [{ id: ulid(), entity: 'filing', entityId: id, op: 'update', baseRev: 3, data: { version: 2, content: v2 }, createdAt: new Date().toISOString() }]);
        expect(re).toMatchObject({ status: 'applied', rev: 4 });
        const d = (await detail('county', id)).json();
        expect(d.filing).toMatchObject({ status: 'submitted', stage: 'civil-affairs', version: 2 });
        expect(d.filing.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
        expect(d.filing.versions[0].content.documents.map((x: DocumentRef) => x.sha256)).toEqual(v1.documents.map((x) => x.sha256));
        expect(d.canAct).toBe(true);
        expect(d.audit.map((a: { action: string }) => a.action)).toEqual(['submitted', 'advanced', 'returned', 'resubmitted']);
        expect(d.audit[2].reason).toBe('诊断书缺少医院盖章');

        // Two reviewers on the same revision: the second is told it is stale.
        const first = await act('county', id, { action: 'reject', rev: 4, reason: '不符合晚期条件' });
        expect(first.json()).toMatchObject({ rev: 5, filing: { status: 'rejected' } });
        const second = await act('county', id, { action: 'receive', rev: 4 });
        expect(second.statusCode).toBe(409);
        expect(second.json().error).toMatchObject({ code: 'stale', rev: 5 });
        const after = await act('county', id, { action: 'approve', rev: 5 });
        expect(after.statusCode).toBe(409);
        expect(after.json().error.code).toBe('wrong-status');
      });

      it('shows a filing only inside the reviewer’s jurisdiction; the administrator reads all and acts on none', async () => {
        const id = await fileGrant();
        const elsewhere = await list('township2');
        expect(elsewhere.statusCode).toBe(200);
        expect(elsewhere.json()).toEqual({ filings: [], total: 0 });
        const hidden = await detail('township2', id);
        expect(hidden.statusCode).toBe(404);
        expect((await act('township2', id, { action: 'receive', rev: 1 })).statusCode).toBe(404);
        expect((await list('doctor')).statusCode).toBe(403);
        expect((await detail('doctor', id)).statusCode).toBe(403);

        const all = (await list('admin', '?limit=500')).json();
        expect(all.filings.map((f: { id: string }) => f.id)).toContain(id);
        expect(all.filings.every((f: { canAct: boolean }) => !f.canAct)).toBe(true);
        const adminDetail = (await detail('admin', id)).json();
        expect(adminDetail).toMatchObject({ canAct: false, actions: [] });
        expect(adminDetail.member).toMatchObject({ id: membersOf(mine.id)[0]!.id });
        expect(adminDetail.village).toMatchObject({ id: mine.id });
        const adminAct = await act('admin', id, { action: 'receive', rev: 1 });
        expect(adminAct.statusCode).toBe(403);
      });

      it('filters the queue and keeps it oldest first', async () => {
        const ids = [await fileGrant(), await fileGrant()];
        const r = (await list('township', '?status=submitted&stage=township&type=critical-care-grant&limit=500')).json();
        const order = r.filings.map((f: { id: string }) => f.id);
        expect(order.indexOf(ids[0])).toBeLessThan(order.indexOf(ids[1]));
        const times = r.filings.map((f: { submittedAt: string }) => f.submittedAt);
        expect([...times].sort()).toEqual(times);
        expect(r.total).toBe(r.filings.length);
        const page = (await list('township', '?status=submitted&limit=1&offset=1')).json();
        expect(page.filings).toHaveLength(1);
        expect(page.total).toBe(r.total);
        expect(page.filings[0].id).toBe(order[1]);
        const age = r.filings[0].member.age as number;
        const byAge = (await list('township', `?minAge=${age}&maxAge=${age}&limit=500`)).json();
        expect(byAge.filings.length).toBeGreaterThan(0);
        expect(byAge.filings.every((f: { member: { age: number } }) => f.member.age === age)).toBe(true);
        expect((await list('township', `?village=${other.id}`)).json().total).toBe(0);
        expect((await list('township', `?village=${mine.code}&limit=500`)).json().total).toBeGreaterThan(0);
        expect((await list('township', '?type=out-of-county')).json().filings.every((f: { type: string }) => f.type === 'out-of-county')).toBe(true);
        const bad = await list('township', '?status=lost');
        expect(bad.statusCode).toBe(400);
        expect(bad.json().error).toMatchObject({ code: 'invalid', path: 'status' });
        expect((await list('township', '?maxAge=old')).json().error.path).toBe('maxAge');
      });

      it('re-settles an out-of-county claim and flags a tablet estimate that differs', async () => {
        // A member with a poverty status, and a claim recorded earlier in the year from a settlement slip.
        const member = membersOf(mine.id).find((m) => county.statuses.some((s) => s.memberId === m.id && s.poverty === 'poor'))!;
        const ledgerId = ulid();
        const ledger = { id: ledgerId, memberId: member.id, date: '2026-02-03', packId: PACK.id, kind: 'inpatient', facilityClass: 'county', facilityName: '交口县人民医院', disease: null, total: 800_000, outOfCatalog: 50_000, paid: { basic: 500_000 }, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() };
        expect((await push('doctor', [{ id: ulid(), entity: 'ledger', entityId: ledgerId, op: 'create', baseRev: null, data: ledger, createdAt: new Date().toISOString() }]))[0].status).toBe('applied');

        // The tablet's estimate, made as the estimate screen makes it.
        const fields = { admissionDate: '2026-06-01', dischargeDate: '2026-06-10', facility: 'f:shanxi-people', total: '23456.78', outOfCatalog: '1200', payee: member.name };
        const prior: PriorClaim[] = [{ id: ledgerId, date: ledger.date, kind: 'inpatient', facilityClass: 'county', total: ledger.total, outOfCatalog: ledger.outOfCatalog, disease: null }];
        const statuses = county.statuses.filter((s) => s.memberId === member.id);
        const out = estimate(PACK, historyFromRecords(statuses), prior, { date: fields.dischargeDate, kind: 'inpatient', disease: '', facility: fields.facility, total: fields.total, outOfCatalog: fields.outOfCatalog, outUnknown: false });
        if (!out.ok) throw new Error(JSON.stringify(out.errors));
        const est: FilingEstimate = {
          packId: PACK.id,
          packVersion: PACK.version,
          packHash: PACK.hash,
          claim: { date: fields.dischargeDate, kind: 'inpatient', facilityClass: 'province', total: 2_345_678, outOfCatalog: 120_000, disease: null },
          payers: Object.fromEntries(PAYERS.map((k, i) => [k, out.result.payers[i]!])),
          patient: out.result.patient,
          priorCount: out.priorCount,
          computedAt: new Date().toISOString(),
        };
        expect(est.priorCount).toBe(1);
        const consent = await upload(photo('jpeg'));
        const docs = ['invoice', 'itemised-bill', 'discharge-summary', 'referral', 'id-card'];
        const content = async (e: FilingEstimate): Promise<FilingContent> => ({
          fields,
          documents: [...(await Promise.all(docs.map(async (k) => ref(k, await upload(photo()))))), ref(CONSENT_KIND, consent)],
          consent: { method: 'photo', signer: member.name, at: '2026-06-12T01:00:00.000Z', sha256: consent.sha },
          villageConfirmation: null,
          estimate: e,
        });
        const good = create(member, 'out-of-county', await content(est));
        const wrong = create(member, 'out-of-county', await content({ ...est, payers: { ...est.payers, basic: est.payers.basic! + 10_000 }, patient: est.patient - 10_000 }));
        const results = await push('doctor', [good, wrong]);
        expect(results.map((r: { status: string }) => r.status)).toEqual(['applied', 'applied']);

        const agrees = (await detail('county', good.entityId!)).json();
        expect(agrees.resettlement).toMatchObject({ ok: true, payers: est.payers, patient: est.patient, priorCount: 1, claim: { facilityClass: 'province', total: 2_345_678 } });
        expect(agrees.difference).toBeNull();
        const differs = (await detail('county', wrong.entityId!)).json();
        expect(differs.difference).toEqual({
          payers: { basic: { estimate: est.payers.basic! + 10_000, resettled: est.payers.basic, delta: -10_000 } },
          patient: { estimate: est.patient - 10_000, resettled: est.patient, delta: 10_000 },
        });
        // A grant attaches no estimate: nothing to re-settle.
        const grant = (await detail('county', await fileGrant())).json();
        expect(grant).toMatchObject({ resettlement: null, difference: null });
        // What the tablet knew: who filed, the member's status on the day, the grant's unmet conditions.
        expect(grant.filedBy).toMatchObject({ username: 'doctor', phone: null });
        // With a phone on record, the reviewer can call the doctor who filed.
        await setPhone(sdb.db, 'doctor', '13912345678');
        expect((await detail('county', grant.filing.id)).json().filedBy).toEqual({ username: 'doctor', displayName: '张医生', phone: '13912345678' });
        await setPhone(sdb.db, 'doctor', null);
        expect(grant.statusOnClaim).toMatchObject({ date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), registeredPoor: expect.any(Boolean) });
        const m0 = membersOf(mine.id)[0]!;
        const notLate = create(m0, 'critical-care-grant', { ...(await grantContent(m0)), fields: { grantDisease: 'lung-cancer', lateStage: 'no', diagnosisDate: '2026-03-01', payee: m0.name } });
        expect((await push('doctor', [notLate]))[0]).toMatchObject({ status: 'applied' });
        const doubtful = (await detail('county', notLate.entityId!)).json();
        expect(doubtful.doubts.length).toBeGreaterThan(grant.doubts.length);
        expect(doubtful.doubts.join()).toMatch(/晚期/);
        // A stale estimate (made on other costs) is refused at the push.
        const stale = create(member, 'out-of-county', await content({ ...est, claim: { ...est.claim, total: 1 } }));
        const [s] = await push('doctor', [stale]);
        expect(s).toMatchObject({ status: 'rejected', code: 'incomplete' });
        expect(s.message).toContain('estimate');
      });

      it('serves a filing’s photos to those whose jurisdiction covers it, and no other photo', async () => {
        const member = membersOf(mine.id)[0]!;
        const content = await grantContent(member);
        const m = create(member, 'critical-care-grant', content);
        expect((await push('doctor', [m]))[0].status).toBe('applied');
        const doc = content.documents.find((d) => d.kind === CONSENT_KIND)!;
        const url = `/api/filings/${m.entityId}/documents/${doc.sha256}`;
        for (const who of ['county', 'township', 'doctor', 'admin']) {
          const r = await app.inject({ method: 'GET', url, headers: auths[who] });
          expect(r.statusCode, `${who}: ${r.body}`).toBe(200);
          expect(r.headers['content-type']).toBe('image/jpeg');
          expect(r.headers['cache-control']).toBe('no-store');
          expect(sha256(r.rawPayload)).toBe(doc.sha256);
        }
        expect((await app.inject({ method: 'GET', url, headers: auths.township2 })).statusCode).toBe(404);
        expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
        // A photo on the server that this filing does not name.
        const unrelated = await upload(photo());
        expect((await app.inject({ method: 'GET', url: `/api/filings/${m.entityId}/documents/${unrelated.sha}`, headers: auths.county })).statusCode).toBe(404);
        expect((await app.inject({ method: 'GET', url: `/api/filings/${ulid()}/documents/${doc.sha256}`, headers: auths.county })).statusCode).toBe(404);
      });

      it('names the user on sign-in and in /api/me', async () => {
        const me = await app.inject({ method: 'GET', url: '/api/me', headers: auths.township });
        expect(me.json()).toMatchObject({ username: 'township', displayName: '石泉镇审核员', role: 'township-reviewer', areas: [township] });
      });
    });
  });
}
