/**
 * npm run bench:sync
 *
 * On SQLite and (when reachable) PostgreSQL: pushes per second (10,000 visits from one device in
 * batches of 100, every one applied with its stored result, one transaction a push), and the first
 * download of a county of 10,000 members by a county reviewer (every record, in batches of 2,000).
 * Beside the pushes, their baseline: the same rows written by the raw driver (better-sqlite3, pg),
 * 100 mutations a transaction with the same durability.
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateCounty } from '../../src/model/demo/index.ts';
import { PROTOCOL_VERSION, type Mutation } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { buildApp } from '../../src/server/app.ts';
import { createUser } from '../../src/server/auth.ts';
import { importCounty } from '../../src/server/sync/index.ts';
import { BACKENDS, freshDb } from '../server/backends.ts';
import { visitOf } from '../server/careplan-records.ts';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
const PUSHES = Number(process.env.BENCH_PUSHES ?? 10_000);
const H = { 'x-cunyi-protocol': String(PROTOCOL_VERSION), 'content-type': 'application/json' };
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

const dist = mkdtempSync(join(tmpdir(), 'cunyi-dist-'));
mkdirSync(dist, { recursive: true });
writeFileSync(join(dist, 'index.html'), '<!doctype html>');
const county = generateCounty({ seed: 3, members: MEMBERS });

for (const backend of BACKENDS) {
  const sdb = await freshDb(backend);
  await importCounty(sdb.db, county);
  await createUser(sdb.db, { username: 'county', displayName: 'c', role: 'county-reviewer', password: 'bench-password', areas: [county.county.code] });
  // Reviewers write nothing through push: the pushes come from a village doctor of the whole county.
  await createUser(sdb.db, { username: 'doctor', displayName: 'd', role: 'village-doctor', password: 'bench-password', areas: [county.county.code] });
  const app = await buildApp({ db: sdb, distDir: dist, version: 'bench' });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const login = async (username = 'county') => {
    const deviceId = ulid();
    const r = await (await fetch(`${base}/api/login`, { method: 'POST', headers: H, body: JSON.stringify({ username, password: 'bench-password', deviceId }) })).json();
    return { token: r.token as string, deviceId };
  };

  // First download by a fresh device.
  const a = await login();
  const t0 = performance.now();
  let since = 0;
  let records = 0;
  for (;;) {
    const r = await (await fetch(`${base}/api/sync/pull?since=${since}&limit=2000`, { headers: { ...H, authorization: `Bearer ${a.token}` } })).json();
    records += r.records.length;
    since = r.checkpoint;
    if (r.remaining === 0) break;
  }
  const download = performance.now() - t0;

  // Pushes.
  const b = await login('doctor');
  const mutations: Mutation[] = Array.from({ length: PUSHES }, (_, i) => {
    const m = county.members[i % county.members.length]!;
    const id = ulid();
    const at = new Date().toISOString();
    return { id: ulid(), entity: 'visit', entityId: id, op: 'create', baseRev: null, data: visitOf(m, id, { date: '2026-11-01', note: `bench ${i}` }), createdAt: at };
  });
  const t1 = performance.now();
  for (let i = 0; i < mutations.length; i += 100) {
    const r = await fetch(`${base}/api/sync/push`, { method: 'POST', headers: { ...H, authorization: `Bearer ${b.token}` }, body: JSON.stringify({ protocol: PROTOCOL_VERSION, deviceId: b.deviceId, mutations: mutations.slice(i, i + 100) }) });
    if (!r.ok) throw new Error(`push failed: ${r.status}`);
    // Every one must be applied: a refused mutation is cheaper and would flatter the figure.
    const refused = ((await r.json()) as { results: { status: string; code?: string }[] }).results.filter((x) => x.status !== 'applied');
    if (refused.length) throw new Error(`push refused ${refused.length} mutations: ${JSON.stringify(refused[0])}`);
  }
  const push = performance.now() - t1;
  await app.close();
  await sdb.drop();

  // The baseline: the same rows a push writes (the record, its stored result, its change record,
  // the sequence counter) by the raw driver, 100 mutations a transaction, the same durability.
  const raw = await rawInserts(backend, mutations);
  const rate = PUSHES / (push / 1000);
  const rawRate = PUSHES / (raw / 1000);
  console.log(
    `${backend}: first download of ${fmt(MEMBERS)} members (${fmt(records)} records) ${fmt(download)} ms · pushes ${fmt(rate)}/s (${fmt(PUSHES)} mutations in batches of 100, ${fmt(push)} ms) · raw driver ${fmt(rawRate)}/s · app/raw ${fmt((rate / rawRate) * 100)}%`,
  );
}

async function rawInserts(backend: 'sqlite' | 'postgres', mutations: Mutation[]): Promise<number> {
  const sdb = await freshDb(backend);
  await importCounty(sdb.db, county);
  const rows = mutations.map((m) => ({ m, data: JSON.stringify(m.data), result: JSON.stringify({ id: m.id, status: 'applied', rev: 1 }) }));
  const now = new Date().toISOString();
  let ms: number;
  if (backend === 'sqlite') {
    const db = new Database(sdb.location);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const seq = db.prepare("update counters set value = value + 1 where name = 'seq' returning value");
    const rec = db.prepare('insert into records (entity, id, village_code, data, rev, field_revs, seq, deleted, updated_at) values (?, ?, ?, ?, 1, ?, ?, 0, ?)');
    const app = db.prepare('insert into applied_mutations (device_id, mutation_id, result, applied_at, content_hash) values (?, ?, ?, ?, ?)');
    const chg = db.prepare('insert into record_changes (id, entity, entity_id, rev, op, fields, user_id, username, role, device_id, mutation_id, at) values (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)');
    const batch = db.transaction((part: typeof rows) => {
      for (const r of part) {
        const s = (seq.get() as { value: number }).value;
        rec.run('visit', r.m.entityId, '141130100200', r.data, '{}', s, now);
        app.run('bench', r.m.id, r.result, now, 'h');
        chg.run(ulid(), 'visit', r.m.entityId, 'create', '[]', 'u', 'doctor', 'village-doctor', 'bench', r.m.id, now);
      }
    });
    const t = performance.now();
    for (let i = 0; i < rows.length; i += 100) batch(rows.slice(i, i + 100));
    ms = performance.now() - t;
    db.close();
  } else {
    const c = new pg.Client({ connectionString: (sdb as { url?: string }).url });
    await c.connect();
    const t = performance.now();
    for (let i = 0; i < rows.length; i += 100) {
      await c.query('begin');
      for (const r of rows.slice(i, i + 100)) {
        const s = (await c.query("update counters set value = value + 1 where name = 'seq' returning value")).rows[0].value;
        await c.query('insert into records (entity, id, village_code, data, rev, field_revs, seq, deleted, updated_at) values ($1, $2, $3, $4, 1, $5, $6, 0, $7)', ['visit', r.m.entityId, '141130100200', r.data, '{}', s, now]);
        await c.query('insert into applied_mutations (device_id, mutation_id, result, applied_at, content_hash) values ($1, $2, $3, $4, $5)', ['bench', r.m.id, r.result, now, 'h']);
        await c.query('insert into record_changes (id, entity, entity_id, rev, op, fields, user_id, username, role, device_id, mutation_id, at) values ($1, $2, $3, 1, $4, $5, $6, $7, $8, $9, $10, $11)', [ulid(), 'visit', r.m.entityId, 'create', '[]', 'u', 'doctor', 'village-doctor', 'bench', r.m.id, now]);
      }
      await c.query('commit');
    }
    ms = performance.now() - t;
    await c.end();
  }
  await sdb.drop();
  return ms;
}
