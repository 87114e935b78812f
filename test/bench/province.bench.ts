/**
 * npm run bench:province
 *
 * A province on one PostgreSQL (loopback only): BENCH_MEMBERS (2,000,000) members in BENCH_COUNTIES
 * (120) counties, each the demo county given a county code and ids of its own, loaded with COPY into
 * the partitioned tables (a record and its import change per row, as importCounty writes them),
 * beside a baseline of one county of the same size alone in its database. On each, over the app's
 * HTTP routes on loopback:
 *
 * - a village's first download (pull pages of BENCH_PAGE, 10,000, as a tablet asks), for BENCH_VILLAGES (20) villages;
 * - pushes from BENCH_DEVICES (200) village doctors' devices at once, each BENCH_DEVICE_PUSHES (5)
 *   pushes of 20 household visits one after another: p50/p99 per push and mutations/s;
 * - a township reviewer's review queue (first page of 50);
 * - a county reviewer's dashboard;
 * - then the size of every partition (pg_total_relation_size), per row and per county.
 *
 * The database is `cunyi_province` (BENCH_DATABASE), schemas `province` and `baseline`, made
 * afresh and dropped at the end (BENCH_KEEP=1 keeps them). The run stops itself after
 * BENCH_MAX_MINUTES (25). Sessions are written straight to the database (the sign-in's scrypt,
 * 200 times, would measure nothing of this). The devices' requests are made in the server's own
 * process, so their JSON work counts against the server's figures, the same in both columns.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { Readable, type Writable } from 'node:stream';
import pg from 'pg';
import { generateCounty, type DemoCounty } from '../../src/model/demo/index.ts';
import { PROTOCOL_VERSION, type Mutation } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { buildApp } from '../../src/server/app.ts';
import { hashPassword } from '../../src/server/auth.ts';
import { ensureCounties, openDb, type ServerDb } from '../../src/server/db.ts';
import { visitOf } from '../server/careplan-records.ts';
import { idInCounty, provinceCountyCode } from '../server/province.ts';

// pg-copy-streams ships no types: only `from` is used, a writable stream of COPY ... FROM STDIN.
const copyFrom = createRequire(import.meta.url)('pg-copy-streams').from as (sql: string) => Writable & pg.Submittable;

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 2_000_000);
const COUNTIES = Number(process.env.BENCH_COUNTIES ?? 120);
const VILLAGES = Number(process.env.BENCH_VILLAGES ?? 20);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 200);
const DEVICE_PUSHES = Number(process.env.BENCH_DEVICE_PUSHES ?? 5);
const VISITS_PER_PUSH = 20;
/** The page a tablet asks for (docs/sync.md). */
const PAGE = Number(process.env.BENCH_PAGE ?? 10_000);
const DATABASE = process.env.BENCH_DATABASE ?? 'cunyi_province';
const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MAX_MINUTES = Number(process.env.BENCH_MAX_MINUTES ?? 25);
const H = { 'x-cunyi-protocol': String(PROTOCOL_VERSION), 'content-type': 'application/json' };

const host = new URL(ADMIN_URL).hostname;
if (!['127.0.0.1', 'localhost', '::1'].includes(host)) throw new Error(`bench:province runs on a loopback PostgreSQL only, not ${host}`);
const stop = setTimeout(() => {
  console.error(`bench:province: stopped after ${MAX_MINUTES} minutes`);
  process.exit(2);
}, MAX_MINUTES * 60_000);
stop.unref();

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
const mb = (b: number) => `${fmt(b / 1024 / 1024, 1)} MB`;
const started = performance.now();
const elapsed = () => `${fmt((performance.now() - started) / 1000)} s`;

const perCounty = Math.max(100, Math.round(MEMBERS / COUNTIES));
const template = generateCounty({ seed: 5, members: perCounty });
const FROM = template.county.code;
const AT = '2026-01-01T00:00:00.000Z';

// ---------------------------------------------------------------------------------------------
// The county's rows as COPY text, made once: each county is then the same text with its code and
// ids put in (a regular expression over the text, not a new generation).

const esc = (s: string) => s.replace(/\\/g, '\\\\');
const SEQ = '\u0001';
/** Filings: about one member in a hundred, submitted, for the review queue. */
function templateFilings(c: DemoCounty): { id: string; villageCode: string; data: object }[] {
  const code = new Map(c.villages.map((v) => [v.id, v.code]));
  return c.members
    .filter((_, i) => i % 100 === 7)
    .map((m, i) => {
      const id = ulid();
      const submittedAt = new Date(Date.parse(AT) + i * 60_000).toISOString();
      const content = { fields: { dischargeDate: '2025-12-01', total: '5000.00' }, documents: [], consent: null, villageConfirmation: null, estimate: null };
      return {
        id,
        villageCode: code.get(m.villageId)!,
        data: { id, memberId: m.id, householdId: m.householdId, villageId: m.villageId, packId: 'bench', type: 'bench', status: 'submitted', stage: null, version: 1, versions: [{ version: 1, submittedAt, by: 'doctor', content }], events: [], content, amount: null, createdAt: submittedAt, updatedAt: submittedAt },
      };
    });
}
function templateText(c: DemoCounty): { records: string; changes: string; rows: number } {
  const code = new Map(c.villages.map((v) => [v.id, v.code]));
  const memberVillage = new Map(c.members.map((m) => [m.id, m.villageId]));
  const rows: [string, string, string, object][] = [
    ...c.villages.map((v) => ['village', v.id, v.code, v] as [string, string, string, object]),
    ...c.households.map((h) => ['household', h.id, code.get(h.villageId)!, h] as [string, string, string, object]),
    ...c.members.map((m) => ['member', m.id, code.get(m.villageId)!, m] as [string, string, string, object]),
    ...c.statuses.map((s) => ['status', s.id, code.get(memberVillage.get(s.memberId)!)!, s] as [string, string, string, object]),
    ...c.enrolments.map((e) => ['enrolment', e.id, code.get(e.villageId)!, e] as [string, string, string, object]),
    ...templateFilings(c).map((f) => ['filing', f.id, f.villageCode, f.data] as [string, string, string, object]),
  ];
  let records = '';
  let changes = '';
  for (const [entity, id, village, data] of rows) {
    const keys = Object.keys(data);
    const fieldRevs = entity === 'filing' ? '{}' : JSON.stringify(Object.fromEntries(keys.map((k) => [k, 1])));
    records += `${entity}\t${id}\t${village}\t${FROM}\t${esc(JSON.stringify(data))}\t1\t${fieldRevs}\t${SEQ}\t0\t${AT}\n`;
    changes += `${ulid()}\t${FROM}\t${entity}\t${id}\t1\timport\t${esc(JSON.stringify(keys))}\tsystem\tsystem\tadmin\tserver\t\\N\t${AT}\n`;
  }
  return { records, changes, rows: rows.length };
}
const TEXT = templateText(template);
const ULID_RE = /[0-9A-HJKMNP-TV-Z]{26}/g;
const CODE_RE = new RegExp(`(\\t|"code":"|"countyCode":"|"townshipCode":")${FROM}`, 'g');
function countyText(text: string, code: string, k: number, seq?: { next: number }): string {
  let out = text.replace(ULID_RE, (id) => idInCounty(id, k)).replace(CODE_RE, `$1${code}`);
  if (seq) out = out.replace(/\u0001/g, () => String(seq.next++));
  return out;
}

async function copy(client: pg.PoolClient, sql: string, text: string): Promise<void> {
  await pipeline(Readable.from([Buffer.from(text)]), client.query(copyFrom(sql)));
}

// ---------------------------------------------------------------------------------------------
// The databases

async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = ADMIN_URL): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
const dbUrl = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${DATABASE}`;
  return u.toString();
})();
const inSchema = (schema: string) => `${dbUrl}${dbUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

interface Loaded {
  sdb: ServerDb;
  counties: string[];
  records: number;
  loadMs: number;
}

async function load(schema: string, counties: number): Promise<Loaded> {
  await admin((c) => c.query(`drop schema if exists ${schema} cascade; create schema ${schema}`), dbUrl);
  const sdb = await openDb({ databaseUrl: inSchema(schema) });
  const codes = Array.from({ length: counties }, (_, k) => (counties === 1 ? FROM : provinceCountyCode(k)));
  await ensureCounties(sdb.db, codes);
  const pool = new pg.Pool({ connectionString: inSchema(schema), max: 2 });
  const t = performance.now();
  const seq = { next: 1 };
  for (const [k, code] of codes.entries()) {
    const records = countyText(TEXT.records, code, counties === 1 ? 0 : k + 1, seq);
    const changes = countyText(TEXT.changes, code, counties === 1 ? 0 : k + 1);
    // Records and changes of a county go in at once, on two connections.
    await Promise.all([
      pool.connect().then(async (c) => {
        await copy(c, 'copy records (entity, id, village_code, county_code, data, rev, field_revs, seq, deleted, updated_at) from stdin', records);
        c.release();
      }),
      pool.connect().then(async (c) => {
        await copy(c, 'copy record_changes (id, county_code, entity, entity_id, rev, op, fields, user_id, username, role, device_id, mutation_id, at) from stdin', changes);
        c.release();
      }),
    ]);
    if (k % 10 === 9 || k === codes.length - 1) console.log(`  ${schema}: ${k + 1}/${codes.length} counties, ${fmt(seq.next - 1)} records (${elapsed()})`);
  }
  await pool.query(`update counters set value = ${seq.next - 1} where name = 'seq'`);
  // As a county's tables are in steady state (hint bits set, visibility map made, statistics): the
  // measures are then not of autovacuum catching up with the load.
  await pool.query('vacuum (analyze) records, record_changes');
  await pool.end();
  return { sdb, counties: codes, records: seq.next - 1, loadMs: performance.now() - t };
}

/** A user of this role and area with a device signed in: the token. */
async function session(sdb: ServerDb, hash: string, username: string, role: string, area: string): Promise<{ token: string; deviceId: string }> {
  const id = ulid();
  const deviceId = ulid();
  const now = new Date().toISOString();
  const token = randomBytes(32).toString('base64url');
  await sdb.db.transaction().execute(async (trx) => {
    await trx.insertInto('users').values({ id, username, display_name: username, role, password_hash: hash, created_at: now, disabled: 0, phone: null }).execute();
    await trx.insertInto('user_areas').values({ user_id: id, area_code: area }).execute();
    await trx.insertInto('devices').values({ id: deviceId, user_id: id, name: 'bench', registered_at: now, last_seen_at: now, revoked_at: null }).execute();
    await trx.insertInto('device_users').values({ device_id: deviceId, user_id: id, first_at: now, last_at: now }).execute();
    await trx.insertInto('sessions').values({ token_hash: createHash('sha256').update(token).digest('hex'), user_id: id, device_id: deviceId, created_at: now, expires_at: new Date(Date.now() + 86_400_000).toISOString(), ended_at: null, ended_reason: null }).execute();
  });
  return { token, deviceId };
}

interface Figures {
  download: number[];
  downloadRecords: number;
  push: number[];
  pushRate: number;
  queue: number[];
  dashboard: number[];
}

const dist = mkdtempSync(join(tmpdir(), 'cunyi-dist-'));
mkdirSync(dist, { recursive: true });
writeFileSync(join(dist, 'index.html'), '<!doctype html>');

/** The k-th county's villages, members by village (ids as loaded). */
function placesOf(k: number, code: string) {
  const villages = template.villages.map((v) => ({ id: idInCounty(v.id, k), code: v.code.replace(FROM, code) }));
  const members = template.members.map((m) => ({ id: idInCounty(m.id, k), householdId: idInCounty(m.householdId, k), villageId: idInCounty(m.villageId, k) }));
  return { villages, members };
}

async function measure(l: Loaded, label: string): Promise<Figures> {
  const hash = await hashPassword('bench-password-not-used');
  const app = await buildApp({ db: l.sdb, distDir: dist, version: 'bench' });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const get = async (token: string, path: string) => {
    const r = await fetch(`${base}${path}`, { headers: { ...H, authorization: `Bearer ${token}` } });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const k = (i: number) => (l.counties.length === 1 ? 0 : i + 1);
  const places = l.counties.map((code, i) => ({ code, ...placesOf(k(i), code) }));
  const pick = (i: number) => {
    const c = places[(i * 7) % places.length]!;
    return { c, v: c.villages[(i * 13) % c.villages.length]! };
  };

  // A village's first download, page after page (after two not counted, which warm the process up).
  const download: number[] = [];
  let downloadRecords = 0;
  for (let i = -2; i < VILLAGES; i++) {
    const { v } = pick(i + 2 * VILLAGES + DEVICES);
    const s = await session(l.sdb, hash, `dl-${i}`, 'village-doctor', v.code);
    const t = performance.now();
    let since = 0;
    for (;;) {
      const r = (await get(s.token, `/api/sync/pull?since=${since}&limit=${PAGE}`)) as { records: unknown[]; checkpoint: number; remaining: number };
      if (i >= 0) downloadRecords += r.records.length;
      since = r.checkpoint;
      if (r.remaining === 0) break;
    }
    if (i >= 0) download.push(performance.now() - t);
  }
  console.log(`  ${label}: downloads done (${elapsed()})`);

  // A township's review queue and a county's dashboard, before the pushes add their visits to a few counties.
  const { v } = pick(2 * VILLAGES + DEVICES + 3);
  const township = await session(l.sdb, hash, 'township', 'township-reviewer', v.code.slice(0, 9));
  const county = await session(l.sdb, hash, 'county', 'county-reviewer', v.code.slice(0, 6));
  const queue: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    const r = (await get(township.token, '/api/review/filings?limit=50')) as { total: number };
    queue.push(performance.now() - t);
    if (i === 0 && r.total === 0) throw new Error('the township has no filings');
  }
  const dashboard: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await get(county.token, '/api/dashboard');
    dashboard.push(performance.now() - t);
  }
  console.log(`  ${label}: review and dashboard done (${elapsed()})`);

  // Pushes from many devices at once: a doctor per device, of a village spread over the counties.
  const devices = await Promise.all(
    Array.from({ length: DEVICES }, async (_, i) => {
      const { c, v } = pick(i);
      const s = await session(l.sdb, hash, `doc-${i}`, 'village-doctor', v.code);
      return { ...s, members: c.members.filter((m) => m.villageId === v.id) };
    }),
  );
  const push: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    devices.map(async (d, i) => {
      for (let n = 0; n < DEVICE_PUSHES; n++) {
        const mutations: Mutation[] = Array.from({ length: VISITS_PER_PUSH }, (_, j) => {
          const m = d.members[(n * VISITS_PER_PUSH + j) % d.members.length]!;
          const id = ulid();
          return { id: ulid(), entity: 'visit', entityId: id, op: 'create', baseRev: null, data: visitOf(m, id, { date: '2026-11-01', note: `bench ${i}/${n}/${j}` }), createdAt: new Date().toISOString() };
        });
        const t = performance.now();
        const r = await fetch(`${base}/api/sync/push`, { method: 'POST', headers: { ...H, authorization: `Bearer ${d.token}` }, body: JSON.stringify({ protocol: PROTOCOL_VERSION, deviceId: d.deviceId, mutations }) });
        if (!r.ok) throw new Error(`push: ${r.status} ${await r.text()}`);
        const refused = ((await r.json()) as { results: { status: string }[] }).results.filter((x) => x.status !== 'applied');
        if (refused.length) throw new Error(`push refused ${refused.length}: ${JSON.stringify(refused[0])}`);
        push.push(performance.now() - t);
      }
    }),
  );
  const pushRate = (DEVICES * DEVICE_PUSHES * VISITS_PER_PUSH) / ((performance.now() - t0) / 1000);
  console.log(`  ${label}: pushes done (${elapsed()})`);

  await app.close();
  return { download, downloadRecords: downloadRecords / VILLAGES, push, pushRate, queue, dashboard };
}

interface Size {
  name: string;
  bytes: number;
  rows: number;
}
async function sizes(schema: string): Promise<Size[]> {
  return admin(async (c) => {
    const r = await c.query(
      `select c.relname as name, pg_total_relation_size(c.oid)::bigint as bytes, c.reltuples::bigint as rows
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relkind in ('r', 'p') order by 2 desc`,
      [schema],
    );
    return r.rows.map((x) => ({ name: x.name as string, bytes: Number(x.bytes), rows: Number(x.rows) }));
  }, dbUrl);
}

// ---------------------------------------------------------------------------------------------

console.log(`bench:province — ${fmt(COUNTIES)} counties of ${fmt(perCounty)} members (${fmt(COUNTIES * perCounty)}), ${fmt(TEXT.rows)} records a county; baseline: one such county alone`);
await admin(async (c) => {
  const exists = await c.query('select 1 from pg_database where datname = $1', [DATABASE]);
  if (exists.rowCount === 0) await c.query(`create database ${DATABASE}`);
});

const baseline = await load('baseline', 1);
console.log(`  baseline loaded: ${fmt(baseline.records)} records in ${fmt(baseline.loadMs / 1000, 1)} s`);
const province = await load('province', COUNTIES);
console.log(`  province loaded: ${fmt(province.records)} records in ${fmt(province.loadMs / 1000, 1)} s (${fmt(province.records / (province.loadMs / 1000))} records/s with their changes)`);
await admin((c) => c.query('checkpoint'), dbUrl);

// Sizes of the roster as loaded, before the measures add their visits.
const pSizes = await sizes('province');
const bSizes = await sizes('baseline');
const b = await measure(baseline, 'baseline');
const p = await measure(province, 'province');
const after = await sizes('province');

const row = (what: string, prov: string, base: string) => console.log(`${what.padEnd(48)}${prov.padStart(28)}${base.padStart(28)}`);
const lat = (xs: number[]) => `p50 ${fmt(pct(xs, 50))} / p99 ${fmt(pct(xs, 99))} ms`;
console.log('');
row('', `province (${fmt(COUNTIES)} counties)`, 'one county (baseline)');
row('records (with as many changes)', fmt(province.records), fmt(baseline.records));
row(`village first download (${fmt(p.downloadRecords)} records, ${VILLAGES}×)`, lat(p.download), lat(b.download));
row(`push of ${VISITS_PER_PUSH} visits, ${DEVICES} devices at once`, lat(p.push), lat(b.push));
row('  mutations/s', fmt(p.pushRate), fmt(b.pushRate));
row('township review queue (50 of its filings)', lat(p.queue), lat(b.queue));
row('county dashboard', `p50 ${fmt(pct(p.dashboard, 50))} ms`, `p50 ${fmt(pct(b.dashboard, 50))} ms`);

const sum = (xs: Size[], re: RegExp) => xs.filter((x) => re.test(x.name)).reduce((a, x) => ({ bytes: a.bytes + x.bytes, rows: a.rows + x.rows }), { bytes: 0, rows: 0 });
const recParts = pSizes.filter((x) => /^records_c\d{6}$/.test(x.name));
const chgParts = pSizes.filter((x) => /^record_changes_c\d{6}$/.test(x.name));
const all = sum(pSizes, /./);
const rec = sum(pSizes, /^records_/);
const chg = sum(pSizes, /^record_changes_/);
console.log('');
console.log('sizes as loaded, before the measures (pg_total_relation_size: table, TOAST and indexes)');
row('records, per county partition', `${mb(pct(recParts.map((x) => x.bytes), 50))} (${mb(Math.min(...recParts.map((x) => x.bytes)))}–${mb(Math.max(...recParts.map((x) => x.bytes)))})`, mb(sum(bSizes, /^records_c/).bytes));
row('record_changes, per county partition', mb(pct(chgParts.map((x) => x.bytes), 50)), mb(sum(bSizes, /^record_changes_c/).bytes));
row('bytes per record (records / record_changes)', `${fmt(rec.bytes / rec.rows)} / ${fmt(chg.bytes / chg.rows)}`, '');
row('bytes per member (all tables)', fmt(all.bytes / (COUNTIES * perCounty)), fmt(sum(bSizes, /./).bytes / perCounty));
row('records + record_changes, all counties', mb(rec.bytes + chg.bytes), '');
row('whole schema', mb(all.bytes), mb(sum(bSizes, /./).bytes));
row(`after the measures' ${fmt(DEVICES * DEVICE_PUSHES * VISITS_PER_PUSH)} visits`, mb(sum(after, /./).bytes), '');
for (const x of after.filter((s) => !/_c\d{6}$/.test(s.name)).slice(0, 4)) row(`  ${x.name}`, mb(x.bytes), '');
console.log(`\nrun: ${elapsed()}`);

await baseline.sdb.close();
await province.sdb.close();
if (!process.env.BENCH_KEEP) await admin((c) => c.query('drop schema province cascade; drop schema baseline cascade'), dbUrl);
process.exit(0);
