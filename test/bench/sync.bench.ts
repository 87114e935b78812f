/**
 * npm run bench:sync
 *
 * On SQLite and (when reachable) PostgreSQL: pushes per second (10,000 visits from one device in
 * batches of 100, every one applied with its stored result, one transaction a push), and the first
 * download of a county of 10,000 members by a county reviewer (every record, in batches of 2,000).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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
    return { id: ulid(), entity: 'visit', entityId: id, op: 'create', baseRev: null, data: { id, memberId: m.id, householdId: m.householdId, date: '2026-11-01', note: `bench ${i}`, createdAt: at }, createdAt: at };
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
  console.log(
    `${backend}: first download of ${fmt(MEMBERS)} members (${fmt(records)} records) ${fmt(download)} ms · pushes ${fmt(PUSHES / (push / 1000))}/s (${fmt(PUSHES)} mutations in batches of 100, ${fmt(push)} ms)`,
  );
  await app.close();
  await sdb.drop();
}
