/**
 * The tablet's sync engine against the real county server: two devices edit the same member's
 * phone; the second sees a conflict with both values, keeps its own, and the county ends with it.
 */
import 'fake-indexeddb/auto';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { addHousehold, addMember, updateMember } from '../../src/client/db/repo.ts';
import { CunyiDb } from '../../src/client/db/schema.ts';
import { api, setApiBase } from '../../src/client/sync/api.ts';
import Dexie from 'dexie';
import { SEALED } from '../../src/client/db/seal.ts';
import { applyPulled, getSetAside, PULL_PAGE, pullAll, resolveConflict, syncNow } from '../../src/client/sync/engine.ts';
import { deviceId } from '../../src/client/sync/session.ts';
import { generateCounty } from '../../src/model/demo/index.ts';
import { buildApp } from '../../src/server/app.ts';
import { createUser } from '../../src/server/auth.ts';
import { openDb } from '../../src/server/db.ts';
import { makeIdNumber } from '../../src/model/idcard.ts';
import { ulid } from '../../src/model/ulid.ts';
import { nextSeq, type ServerDb } from '../../src/server/db.ts';
import { importCounty } from '../../src/server/sync/index.ts';

let app: FastifyInstance;
let sdb: ServerDb;
const county = generateCounty({ seed: 4, members: 200 });

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cunyi-sync-client-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  sdb = await openDb({ dataDir: dir });
  await importCounty(sdb.db, county);
  await createUser(sdb.db, { username: 'doctor', displayName: 'd', role: 'village-doctor', password: 'password-1', areas: ['141130'] });
  // These tests sign in more often than a person would: the sign-in limits are tested in test/server/accounts.test.ts.
  app = await buildApp({ db: sdb, distDir: dir, version: 'test', loginLimits: { perAddress: { max: 10_000, windowMs: 60_000 }, perUsername: { max: 10_000, windowMs: 60_000 }, lockout: { failures: 10_000, windowMs: 60_000, lockMs: 60_000 } } });
  setApiBase(await app.listen({ port: 0, host: '127.0.0.1' }));
});
afterAll(async () => {
  await app?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

async function device(name: string): Promise<CunyiDb> {
  const d = new CunyiDb(`${name}-${Date.now()}`);
  const r = await api.login('doctor', 'password-1', await deviceId(d), name);
  await d.meta.put({ key: 'session', value: { token: r.token, expiresAt: r.expiresAt, username: 'doctor', role: r.user.role, areas: r.user.areas } });
  const out = await syncNow(undefined, d);
  expect(out?.error).toBeNull();
  return d;
}

describe('sync engine on the tablet', () => {
  it('downloads the roster, then a both-sides edit becomes a conflict the user settles', async () => {
    const a = await device('tablet-a');
    const b = await device('tablet-b');
    expect(await a.members.count()).toBe(county.members.length);
    const m = county.members[0]!;
    await updateMember(m.id, { phone: '13811112222' }, a);
    await updateMember(m.id, { phone: '13933334444' }, b);
    expect((await syncNow(undefined, a))?.pushed).toBe(1);
    const rb = await syncNow(undefined, b);
    expect(rb?.conflicts).toBe(1);
    const issue = (await b.outbox.toArray()).find((o) => o.state === 'conflict')!;
    expect(issue.result?.conflicts).toEqual([{ field: 'phone', server: '13811112222', client: '13933334444' }]);
    // the pull brought the county's value; nothing was overwritten silently
    expect((await b.members.get(m.id))!.phone).toBe('13811112222');
    await resolveConflict(issue.id, 'mine', b);
    expect((await b.members.get(m.id))!.phone).toBe('13933334444');
    expect((await syncNow(undefined, b))?.pushed).toBe(1);
    await syncNow(undefined, a);
    expect((await a.members.get(m.id))!.phone).toBe('13933334444');
    expect(await a.outbox.count()).toBe(0);
    expect(await b.outbox.count()).toBe(0);
  });

  it('continues an interrupted download from its checkpoint', async () => {
    const d = await device('tablet-c');
    const state = (await d.meta.get('sync'))!.value as { checkpoint: number };
    expect(state.checkpoint).toBeGreaterThan(0);
    const again = await syncNow(undefined, d);
    expect(again?.pulled).toBe(0);
  });

  it('asks the county for pages of PULL_PAGE records', async () => {
    const asked: string[] = [];
    const real = globalThis.fetch;
    const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      asked.push(String(input));
      return real(input, init);
    });
    await device('tablet-page');
    spy.mockRestore();
    expect(asked.find((u) => u.includes('/api/sync/pull'))).toContain(`limit=${PULL_PAGE}`);
  });

  it('cut off half-way (the line drops while a page is written), resumes after the last page stored and misses nothing', async () => {
    const d = new CunyiDb(`cutoff-${Date.now()}`);
    const r = await api.login('doctor', 'password-1', await deviceId(d), 'cutoff');
    await d.meta.put({ key: 'session', value: { token: r.token, expiresAt: r.expiresAt, username: 'doctor', role: r.user.role, areas: r.user.areas } });
    const everything: { seq: number; id: string; entity: string }[] = [];
    for (let since = 0; ; ) {
      const page = await api.pull(r.token, since, 5_000);
      everything.push(...page.records);
      since = page.checkpoint;
      if (page.remaining === 0) break;
    }
    expect(everything.length).toBeGreaterThan(300);
    // Pages of 100; the third request fails as a dropped line does (it is asked while the second page is written).
    let pulls = 0;
    const real = globalThis.fetch;
    const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      if (String(input).includes('/api/sync/pull') && ++pulls === 3) throw new TypeError('network down');
      return real(input, init);
    });
    await expect(pullAll(r.token, d, undefined, undefined, 100)).rejects.toThrow('network down');
    spy.mockRestore();
    // The two pages fetched are stored, each with its checkpoint; nothing of the third.
    const stored = async () => (await Promise.all([d.villages, d.households, d.members, d.statuses, d.enrolments].map((t) => t.count()))).reduce((a, b) => a + b, 0);
    expect(((await d.meta.get('sync'))!.value as { checkpoint: number }).checkpoint).toBe(everything[199]!.seq);
    expect(await stored()).toBe(200);
    const progress: [number, number][] = [];
    expect(await pullAll(r.token, d, (a, b) => progress.push([a, b]), undefined, 100)).toBe(everything.length - 200);
    expect(await stored()).toBe(everything.length);
    expect(((await d.meta.get('sync'))!.value as { checkpoint: number }).checkpoint).toBe(everything.at(-1)!.seq);
    // The bar counts up to what was left, and ends at nothing left.
    expect(progress.at(-1)).toEqual([everything.length - 200, 0]);
    expect(progress.every(([a, b], i) => i === 0 || (a > progress[i - 1]![0] && b <= progress[i - 1]![1]))).toBe(true);
  });
});

describe('a download into a sealed store', () => {
  it('seals every pulled row ahead of its transaction, reads back as sent, and keeps a waiting edit on top', async () => {
    const name = `sealed-pull-${Date.now()}`;
    const d = new CunyiDb(name, { key: crypto.getRandomValues(new Uint8Array(32)) });
    const [m, n] = [county.members.find((x) => x.phone)!, county.members[1]!];
    const h = county.households.find((x) => x.id === m.householdId)!;
    await d.outbox.add({ id: ulid(), createdAt: new Date().toISOString(), entity: 'member', entityId: n.id, op: 'update', baseRev: 1, data: { phone: '13900001111' } });
    const aside = await applyPulled(
      [
        { entity: 'member', id: m.id, rev: 3, seq: 1, deleted: false, data: m },
        { entity: 'member', id: n.id, rev: 2, seq: 2, deleted: false, data: n },
        { entity: 'household', id: h.id, rev: 1, seq: 3, deleted: false, data: h },
      ],
      3,
      d,
    );
    expect(aside).toBe(0);
    const { search, ...row } = (await d.members.get(m.id))!;
    expect(row).toEqual({ ...m, rev: 3 });
    expect(search).toContain(`n:${m.name}`);
    expect((await d.members.get(n.id))!.phone).toBe('13900001111');
    expect((await d.households.get(h.id))!.address).toBe(h.address);
    d.close();
    // As IndexedDB holds them: ids and indexes in the clear, the rest sealed.
    const raw = new Dexie(name);
    await raw.open();
    for (const r of await raw.table('members').toArray()) {
      expect(r[SEALED]).toBeInstanceOf(Uint8Array);
      expect(r.name).toBeUndefined();
      expect(r.phone).toBeUndefined();
      expect(r.idNumber).toBeUndefined();
    }
    expect((await raw.table('households').get(h.id)).address).toBeUndefined();
    raw.close();
  });
});

describe('the outbox in the device\'s own order', () => {
  it('sends a household before its member when the clock is set back an hour between the two', async () => {
    const d = await device('tablet-clock');
    const village = county.villages[0]!;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T09:00:00.000Z'));
    const h = await addHousehold({ villageId: village.id, number: 'T-9001', address: '钟表组1号', phone: null }, d);
    // The network corrects the tablet's clock: an hour earlier.
    vi.setSystemTime(new Date('2026-03-01T08:00:00.000Z'));
    const m = await addMember(
      { householdId: h.id, villageId: village.id, name: '钟一', pinyin: 'zhongyi', initials: 'zy', idNumber: makeIdNumber('141130', '1970-05-06', 123), sex: 'M', birthDate: '1970-05-06', relation: 'head', phone: null, insured: { scheme: 'resident', year: 2026 } },
      null,
      d,
    );
    vi.useRealTimers();
    const rows = await d.outbox.orderBy('seq').toArray();
    expect(rows.map((r) => [r.entity, r.op])).toEqual([['household', 'create'], ['member', 'create'], ['household', 'update']]);
    // Ids stay in creation order too, though the clock went back.
    expect(rows[1]!.id > rows[0]!.id && rows[2]!.id > rows[1]!.id).toBe(true);
    const out = await syncNow(undefined, d);
    expect(out).toMatchObject({ error: null, pushed: 3, rejected: 0 });
    expect(await d.outbox.count()).toBe(0);
    const onServer = await sdb.db.selectFrom('records').select(['id', 'deleted']).where('id', 'in', [h.id, m.id]).execute();
    expect(onServer).toHaveLength(2);
  });

  it('sends in the order the rows were written even when their ids sort the other way', async () => {
    const d = await device('tablet-order');
    const village = county.villages[0]!;
    const t = new Date().toISOString();
    const hid = ulid();
    const mid = ulid();
    // Written household first, member second, with ids that sort member first (as a stepped-back clock made them).
    const later = '7ZZZZZZZZZZZZZZZZZZZZZZZZZ';
    const earlier = '00000000000000000000000000';
    await d.outbox.add({ id: later, createdAt: t, entity: 'household', entityId: hid, op: 'create', baseRev: null, data: { id: hid, villageId: village.id, number: 'T-9002', address: '', phone: null, headMemberId: null, createdAt: t, updatedAt: t, rev: 1 } });
    await d.outbox.add({
      id: earlier,
      createdAt: t,
      entity: 'member',
      entityId: mid,
      op: 'create',
      baseRev: null,
      data: { id: mid, householdId: hid, villageId: village.id, name: '序二', pinyin: 'xuer', initials: 'xe', idNumber: makeIdNumber('141130', '1980-01-02', 124), sex: 'F', birthDate: '1980-01-02', relation: 'head', phone: null, state: 'active', stateDate: null, insured: { scheme: 'resident', year: 2026 }, createdAt: t, updatedAt: t, rev: 1 },
    });
    const out = await syncNow(undefined, d);
    expect(out).toMatchObject({ error: null, pushed: 2, rejected: 0 });
  });
});

describe('pulled records checked against their schema', () => {
  it('sets aside a bad record from the server, downloads the rest and reports it', async () => {
    const victim = county.members[5]!;
    // A record stored before the schema existed, of a shape no tablet can use.
    const badId = ulid();
    await sdb.db.transaction().execute(async (trx) => {
      const seq = await nextSeq(trx, 2);
      await trx.insertInto('records').values({ entity: 'member', id: badId, village_code: county.villages.find((v) => v.id === victim.villageId)!.code, data: JSON.stringify({ ...victim, id: badId, idNumber: 123, sex: 'X' }), rev: 1, field_revs: '{}', seq, deleted: 0, updated_at: new Date().toISOString() }).execute();
      await trx.updateTable('records').set({ data: JSON.stringify({ ...victim, phone: '13812345678' }), rev: 9, seq: seq + 1 }).where('entity', '=', 'member').where('id', '=', victim.id).execute();
    });
    const d = await device('tablet-setaside');
    const onServer = await sdb.db.selectFrom('records').select(({ fn }) => fn.countAll<number>().as('n')).where('entity', '=', 'member').executeTakeFirstOrThrow();
    expect(await d.members.count()).toBe(Number(onServer.n) - 1);
    expect(await d.members.get(badId)).toBeUndefined();
    expect((await d.members.get(victim.id))!.phone).toBe('13812345678');
    const aside = await getSetAside(d);
    expect(aside.items).toEqual([expect.objectContaining({ entity: 'member', id: badId, path: 'data.idNumber' })]);
    // The checkpoint moved past it: the next sync downloads nothing more and does not fail.
    const again = await syncNow(undefined, d);
    expect(again).toMatchObject({ error: null, pulled: 0 });
  });
});

describe('a record deleted on the tablet', () => {
  it('is not brought back by a pull while its delete waits for the county', async () => {
    const d = new CunyiDb(`resurrect-${Date.now()}`);
    const s = county.statuses[0]!;
    await d.outbox.add({ id: ulid(), createdAt: new Date().toISOString(), entity: 'status', entityId: s.id, op: 'delete', baseRev: null, data: {}, state: 'rejected', result: { code: 'failed', message: 'x', at: new Date().toISOString() } });
    const other = county.statuses[1]!;
    await applyPulled([{ entity: 'status', id: s.id, rev: 1, seq: 1, deleted: false, data: s }, { entity: 'status', id: other.id, rev: 1, seq: 2, deleted: false, data: other }], 2, d);
    expect(await d.statuses.get(s.id)).toBeUndefined();
    expect(await d.statuses.get(other.id)).toMatchObject({ id: other.id, rev: 1 });
  });
});
