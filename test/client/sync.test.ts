/**
 * The tablet's sync engine against the real county server: two devices edit the same member's
 * phone; the second sees a conflict with both values, keeps its own, and the county ends with it.
 */
import 'fake-indexeddb/auto';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateMember } from '../../src/client/db/repo.ts';
import { CunyiDb } from '../../src/client/db/schema.ts';
import { api, setApiBase } from '../../src/client/sync/api.ts';
import { resolveConflict, syncNow } from '../../src/client/sync/engine.ts';
import { deviceId } from '../../src/client/sync/session.ts';
import { generateCounty } from '../../src/model/demo/index.ts';
import { buildApp } from '../../src/server/app.ts';
import { createUser } from '../../src/server/auth.ts';
import { openDb } from '../../src/server/db.ts';
import { importCounty } from '../../src/server/sync.ts';

let app: FastifyInstance;
const county = generateCounty({ seed: 4, members: 200 });

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cunyi-sync-client-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  const sdb = await openDb({ dataDir: dir });
  await importCounty(sdb.db, county);
  await createUser(sdb.db, { username: 'doctor', displayName: 'd', role: 'village-doctor', password: 'password-1', areas: ['141130'] });
  app = await buildApp({ db: sdb, distDir: dir, version: 'test' });
  setApiBase(await app.listen({ port: 0, host: '127.0.0.1' }));
});
afterAll(async () => {
  await app?.close();
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
});
