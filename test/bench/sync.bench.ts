/**
 * npm run bench:sync
 *
 * On SQLite and (when reachable) PostgreSQL: pushes per second (10,000 visits from one device in
 * batches of 100, every one applied with its stored result, one transaction a push), and the first
 * download of a county of 10,000 members by a county reviewer (every record, in batches of 2,000).
 * Beside the pushes, their baseline: the same rows written by the raw driver (better-sqlite3, pg),
 * 100 mutations a transaction with the same durability.
 *
 * Then push latency with many devices at once (BENCH_DEVICES, 50): a village doctor per village,
 * each with an account of that village and a device of their own, each sending BENCH_DEVICE_PUSHES
 * (20) pushes of 20–100 visits one after another, all devices at the same time, over keep-alive
 * connections. The devices run in a worker thread, so that the server's thread does only the
 * server's work, as it would with real tablets. Target: p99 under 300 ms.
 * BENCH_CPU_PROFILE=<folder> writes a CPU profile of the server's thread during that measure.
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Worker } from 'node:worker_threads';
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
import { BACKENDS, freshDb, MANY_LOGINS } from '../server/backends.ts';
import { visitOf } from '../server/careplan-records.ts';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
const PUSHES = Number(process.env.BENCH_PUSHES ?? 10_000);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 50);
const DEVICE_PUSHES = Number(process.env.BENCH_DEVICE_PUSHES ?? 20);
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE;
const H = { 'x-cunyi-protocol': String(PROTOCOL_VERSION), 'content-type': 'application/json' };
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
/** Nearest-rank percentile of latencies in ms. */
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
const latencies = (xs: number[]) => `p50 ${fmt(pct(xs, 50))} ms, p95 ${fmt(pct(xs, 95))} ms, p99 ${fmt(pct(xs, 99))} ms`;

/**
 * The devices' side of the many-device measure, in a worker thread of its own (plain JavaScript:
 * it only sends what it is given). Each device opens its connection first (a health check), then
 * all send their pushes at once, each device waiting for its answer before sending the next, as
 * the tablet's outbox does. A push refused in whole or in part fails the bench.
 */
const DEVICE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { base, headers, devices } = workerData;
// The whole measure is bounded: a server that stalls fails the bench after five minutes.
let deadline = AbortSignal.timeout(60000);
const send = (url, init) => fetch(base + url, { ...init, signal: deadline });
(async () => {
  await Promise.all(devices.map(async (d) => (await send('/api/health', { headers })).text()));
  await new Promise((go) => parentPort.once('message', go).postMessage({ ready: true }));
  deadline = AbortSignal.timeout(300000);
  const latencies = [];
  const t0 = performance.now();
  await Promise.all(devices.map(async (d) => {
    for (const body of d.bodies) {
      const t = performance.now();
      const r = await send('/api/sync/push', { method: 'POST', headers: { ...headers, authorization: 'Bearer ' + d.token }, body });
      const answer = await r.json();
      latencies.push(performance.now() - t);
      if (!r.ok) throw new Error('push failed: ' + r.status + ' ' + JSON.stringify(answer).slice(0, 300));
      const refused = answer.results.filter((x) => x.status !== 'applied');
      if (refused.length) throw new Error('push refused ' + refused.length + ' mutations: ' + JSON.stringify(refused[0]));
    }
  }));
  parentPort.postMessage({ latencies, wall: performance.now() - t0 });
})().catch((e) => parentPort.postMessage({ error: String((e && e.stack) || e) }));
`;

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
  // A doctor per village, each signed in to a device of their own (the first DEVICES villages).
  const villages = county.villages.slice(0, DEVICES);
  if (villages.length < DEVICES) throw new Error(`the county has ${villages.length} villages, fewer than ${DEVICES} devices`);
  await Promise.all(villages.map((v, k) => createUser(sdb.db, { username: `doctor-${k}`, displayName: `d${k}`, role: 'village-doctor', password: 'bench-password', areas: [v.code] })));
  // Fifty sign-ins from one address in a minute are the bench's, not an attack.
  const app = await buildApp({ db: sdb, distDir: dist, version: 'bench', loginLimits: MANY_LOGINS });
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
  const single: number[] = [];
  for (let i = 0; i < mutations.length; i += 100) {
    const tp = performance.now();
    const r = await fetch(`${base}/api/sync/push`, { method: 'POST', headers: { ...H, authorization: `Bearer ${b.token}` }, body: JSON.stringify({ protocol: PROTOCOL_VERSION, deviceId: b.deviceId, mutations: mutations.slice(i, i + 100) }) });
    if (!r.ok) throw new Error(`push failed: ${r.status}`);
    // Every one must be applied: a refused mutation is cheaper and would flatter the figure.
    const refused = ((await r.json()) as { results: { status: string; code?: string }[] }).results.filter((x) => x.status !== 'applied');
    if (refused.length) throw new Error(`push refused ${refused.length} mutations: ${JSON.stringify(refused[0])}`);
    single.push(performance.now() - tp);
  }
  const push = performance.now() - t1;

  const many = await manyDevices(base, villages, login, backend);
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
  console.log(`${backend}: push latency, 1 device, batches of 100: ${latencies(single)} · ${fmt(rate)} mutations/s`);
  const met = pct(many.latencies, 99) < 300 ? 'met' : 'NOT met';
  console.log(
    `${backend}: push latency, ${DEVICES} devices at once, ${fmt(many.latencies.length)} pushes of 20–100 (${fmt(many.mutations)} mutations, ${fmt(many.wall)} ms): ${latencies(many.latencies)} · ${fmt(many.mutations / (many.wall / 1000))} mutations/s · p99 < 300 ms ${met}`,
  );
}


async function manyDevices(
  base: string,
  villages: typeof county.villages,
  login: (username?: string) => Promise<{ token: string; deviceId: string }>,
  backend: string,
): Promise<{ latencies: number[]; wall: number; mutations: number }> {
  const byVillage = new Map<string, typeof county.members>();
  for (const m of county.members) byVillage.set(m.villageId, [...(byVillage.get(m.villageId) ?? []), m]);
  let mutations = 0;
  const devices = [];
  for (const [k, v] of villages.entries()) {
    const { token, deviceId } = await login(`doctor-${k}`);
    const people = byVillage.get(v.id) ?? [];
    if (!people.length) throw new Error(`village ${v.code} has no members`);
    const bodies: string[] = [];
    for (let j = 0; j < DEVICE_PUSHES; j++) {
      // 20 to 100 visits a push, spread so that the devices do not all send the same sizes together.
      const size = 20 + ((k * 7 + j * 13) % 81);
      const batch: Mutation[] = Array.from({ length: size }, (_, i) => {
        const m = people[(j * 100 + i) % people.length]!;
        const id = ulid();
        return { id: ulid(), entity: 'visit', entityId: id, op: 'create', baseRev: null, data: visitOf(m, id, { date: '2026-11-02', note: `bench ${k}/${j}/${i}` }), createdAt: new Date().toISOString() };
      });
      mutations += size;
      bodies.push(JSON.stringify({ protocol: PROTOCOL_VERSION, deviceId, mutations: batch }));
    }
    devices.push({ token, bodies });
  }
  const worker = new Worker(DEVICE_WORKER, { eval: true, workerData: { base, headers: H, devices } });
  const session = PROFILE_DIR ? new Session() : null;
  try {
    const out = await new Promise<{ latencies: number[]; wall: number }>((resolve, reject) => {
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`device worker exited (${code})`)));
      worker.on('message', async (msg: { ready?: true; error?: string; latencies?: number[]; wall?: number }) => {
        if (msg.error) return reject(new Error(msg.error));
        if (msg.ready) {
          if (session) {
            session.connect();
            await session.post('Profiler.enable');
            await session.post('Profiler.start');
          }
          return worker.postMessage('go');
        }
        resolve(msg as { latencies: number[]; wall: number });
      });
    });
    if (session) {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(PROFILE_DIR!, { recursive: true });
      writeFileSync(join(PROFILE_DIR!, `push-${DEVICES}-devices-${backend}.cpuprofile`), JSON.stringify(profile));
    }
    return { ...out, mutations };
  } finally {
    session?.disconnect();
    await worker.terminate();
  }
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
