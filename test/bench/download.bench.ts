/**
 * npm run bench:download
 *
 * The tablet's first download, in headless Chromium (Debian's), through the real county server
 * (the app built with `vite build --mode e2e`, served and answered by buildApp on SQLite over
 * loopback HTTP, compressed as the app serves it): a village doctor of the whole demo county
 * (BENCH_MEMBERS members, 10,000 by default) signs in, chooses a PIN, and the app downloads every
 * record into the profile's sealed store. Timed from the PIN confirmed to the village list, which
 * the app shows once the last record is stored.
 *
 * Beside it, in the same run and the same browser, the same records as the same JSON documents:
 * - PouchDB 9 (CHT's engine) replicating them from express-pouchdb (memory adapter, gzip as it
 *   serves) into IndexedDB, with batch_size 100 (CHT's setting) and 1,000;
 * - raw IndexedDB writing the rows the app stores (its search keys and write stamps) into stores
 *   with the app's keys and indexes, in the clear,
 *   in one transaction: the baseline of "applying at 80% of raw".
 *
 * Bytes on the wire are counted at a TCP proxy in front of each server (every byte the server sent,
 * headers included) while each download runs. Everything listens on 127.0.0.1 only.
 */
import { createServer as httpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer as tcpServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { generateCounty } from '../../src/model/demo/index.ts';
import { PROTOCOL_VERSION, type PulledRecord } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { buildApp } from '../../src/server/app.ts';
import { createUser } from '../../src/server/auth.ts';
import { openDb } from '../../src/server/db.ts';
import { importCounty } from '../../src/server/sync/index.ts';
import { DIGEST_TABLES, STAMP } from '../../src/client/db/digest.ts';
import { SCHEMA_V9 } from '../../src/client/db/schema.ts';
import { householdSearchKeys, memberSearchKeys, searchKeysReady } from '../../src/client/db/search-keys.ts';
import type { Entity } from '../../src/model/sync.ts';
import type { Household, Member } from '../../src/model/roster.ts';
import { ROOT } from '../helpers.ts';
import { launch, tabletContext, typePin, waitForServiceWorker } from '../e2e/harness.ts';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
/** PouchDB's batch sizes to run (BENCH_POUCH=100 alone shortens a run of 100,000 members by minutes). */
const BATCHES = (process.env.BENCH_POUCH ?? '100,1000').split(',').map(Number);
const H = { 'x-cunyi-protocol': String(PROTOCOL_VERSION), 'content-type': 'application/json' };
const PASSWORD = 'bench-download-pw';
const TABLE: Record<Entity, string> = { village: 'villages', household: 'households', member: 'members', status: 'statuses', enrolment: 'enrolments', visit: 'visits', ledger: 'ledger', filing: 'filings', followup: 'followups', contract: 'contracts' };
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const kb = (b: number) => `${fmt(b / 1024)} KB`;
/** No part of the bench may hang: each download has this long (100,000 members through PouchDB take minutes). */
const TIMEOUT_MS = Math.max(300_000, MEMBERS * 12);

if (!Number.isInteger(MEMBERS) || MEMBERS < 100) throw new Error('BENCH_MEMBERS must be a whole number ≥ 100');
if (!BATCHES.includes(100) || BATCHES.some((b) => !Number.isInteger(b) || b < 1)) throw new Error('BENCH_POUCH lists batch sizes, 100 among them (the target is against it)');

/** A TCP proxy on 127.0.0.1 that counts the bytes each way: what the browser received is the wire. */
async function countingProxy(target: number) {
  const counts = { down: 0, up: 0 };
  const server = tcpServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    client.on('data', (b) => (counts.up += b.length));
    upstream.on('data', (b) => (counts.down += b.length));
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    counts,
    reset: () => {
      counts.down = 0;
      counts.up = 0;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

// --- The county server, with the demo county and a village doctor of all of it. ---
const tGen = performance.now();
const county = generateCounty({ seed: 42, members: MEMBERS });
const sdb = await openDb({ dataDir: mkdtempSync(join(tmpdir(), 'cunyi-bench-download-')) });
await importCounty(sdb.db, county);
await createUser(sdb.db, { username: 'bench-doctor', displayName: '下载', role: 'village-doctor', password: PASSWORD, areas: [county.county.code] });
const app = await buildApp({ db: sdb, distDir: join(ROOT, 'dist'), version: 'bench', logger: false, maintenance: false });
const appBase = await app.listen({ port: 0, host: '127.0.0.1' });
const appProxy = await countingProxy(Number(new URL(appBase).port));
const appUrl = `http://127.0.0.1:${appProxy.port}`;

// Every record the doctor will download, as the server sends them (pulled once here, not timed).
const records: PulledRecord[] = await (async () => {
  const deviceId = ulid();
  const login = await (await fetch(`${appBase}/api/login`, { method: 'POST', headers: H, body: JSON.stringify({ username: 'bench-doctor', password: PASSWORD, deviceId }) })).json();
  const out: PulledRecord[] = [];
  let since = 0;
  for (;;) {
    const r = await (await fetch(`${appBase}/api/sync/pull?since=${since}&limit=5000&count=0`, { headers: { ...H, authorization: `Bearer ${login.token}` } })).json();
    out.push(...r.records);
    since = r.checkpoint;
    if (r.remaining === 0) return out;
  }
})();
const recordsJson = JSON.stringify(records);
// The rows the app stores, for the raw baseline: its own search keys and a write stamp on the tables that carry one (db/digest.ts).
await searchKeysReady();
let stamp = Date.now() * 1000;
const rawRows = JSON.stringify(
  records.map((r) => {
    const row: Record<string, unknown> = { ...r.data, rev: r.rev };
    if (r.entity === 'member') row.search = memberSearchKeys(row as unknown as Member);
    if (r.entity === 'household') row.search = householdSearchKeys(row as unknown as Household);
    if ((DIGEST_TABLES as readonly string[]).includes(TABLE[r.entity])) row[STAMP] = ++stamp;
    return [TABLE[r.entity], row];
  }),
);

// --- PouchDB: express-pouchdb over the memory adapter, holding the same records as documents. ---
const require = createRequire(import.meta.url);
/** What the bench uses of PouchDB (the package ships no types). */
interface Pouch {
  bulkDocs(docs: object[]): Promise<unknown>;
}
type PouchCtor = { new (name: string): Pouch; plugin(p: unknown): void; defaults(o: object): PouchCtor };
const PouchDB = require('pouchdb') as PouchCtor;
PouchDB.plugin(require('pouchdb-adapter-memory'));
const MemPouch = PouchDB.defaults({ adapter: 'memory' });
const pouchApp = require('express-pouchdb')(MemPouch, { mode: 'minimumForPouchDB', inMemoryConfig: true, logPath: join(tmpdir(), `cunyi-bench-pouch-${process.pid}.log`) }) as (req: IncomingMessage, res: ServerResponse) => void;
const source = new MemPouch('records');
/** The same JSON document for each record: its entity and data, keyed by entity and id. */
const docs = records.map((r) => ({ _id: `${r.entity}:${r.id}`, entity: r.entity, deleted: r.deleted, data: r.data }));
for (let i = 0; i < docs.length; i += 5_000) await source.bulkDocs(docs.slice(i, i + 5_000));
const pouchJs = readFileSync(require.resolve('pouchdb/dist/pouchdb.min.js'));
const page = (body: string) => `<!doctype html><meta charset="utf-8"><title>bench</title>${body}`;
const side = httpServer((req, res) => {
  if (req.url === '/bench.html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page('<script src="/pouchdb.min.js"></script>'));
  } else if (req.url === '/pouchdb.min.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(pouchJs);
  } else if (req.url === '/rows.json') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(rawRows);
  } else if (req.url?.startsWith('/db/')) {
    req.url = req.url.slice(3);
    pouchApp(req, res);
  } else res.writeHead(404).end();
});
await new Promise<void>((r) => side.listen(0, '127.0.0.1', r));
const sideProxy = await countingProxy((side.address() as AddressInfo).port);
const sideUrl = `http://127.0.0.1:${sideProxy.port}`;
const setupMs = performance.now() - tGen;

const browser = await launch();
try {
  const context = await tabletContext(browser, true);
  // tsx keeps function names with a helper that the page does not have.
  await context.addInitScript('globalThis.__name = (f) => f;');

  // --- The app: sign in, choose the PIN, the first download, the village list. ---
  const tab = await context.newPage();
  await tab.goto(`${appUrl}/welcome`);
  await waitForServiceWorker(tab);
  await tab.goto(`${appUrl}/login`);
  await tab.locator('#username').fill('bench-doctor');
  await tab.locator('#password').fill(PASSWORD);
  await tab.getByTestId('login').click();
  await tab.getByTestId('pin-setup').waitFor({ timeout: 60_000 });
  await typePin(tab);
  await tab.getByText('再输入一次 PIN').waitFor();
  await tab.evaluate(() => performance.clearMeasures());
  appProxy.reset();
  const t0 = performance.now();
  await typePin(tab);
  await tab.waitForURL(/\/villages$/, { timeout: TIMEOUT_MS });
  const appMs = performance.now() - t0;
  const appWire = { ...appProxy.counts };
  const appIn = await tab.evaluate(async () => {
    const api = (window as unknown as { cunyi: { db(): import('../../src/client/db/schema.ts').CunyiDb } }).cunyi;
    const d = api.db();
    let stored = 0;
    for (const t of ['villages', 'households', 'members', 'statuses', 'enrolments', 'visits', 'ledger', 'filings', 'followups', 'contracts']) stored += await d.table(t).count();
    const entries = (name: string) => performance.getEntriesByName(name);
    const sum = (name: string) => entries(name).reduce((s, e) => s + e.duration, 0);
    const end = (e: PerformanceEntry) => e.startTime + e.duration;
    // Applying, as it runs: from the first page in hand to the last one stored (the next page is fetched and prepared meanwhile).
    const fetched = entries('cunyi:pull-fetch');
    const written = entries('cunyi:pull-write');
    const elapsed = written.length && fetched.length ? end(written.at(-1)!) - end(fetched[0]!) : 0;
    return { stored, sealed: d.key !== null, pages: written.length, fetch: sum('cunyi:pull-fetch'), prepare: sum('cunyi:pull-prepare'), write: sum('cunyi:pull-write'), elapsed };
  });
  await tab.close();

  // --- PouchDB and raw IndexedDB, on a page of their own origin (the app's CSP admits no other script). ---
  const bench = await context.newPage();
  await bench.goto(`${sideUrl}/bench.html`);
  const pouch: { batch: number; ms: number; docs: number; down: number; up: number }[] = [];
  for (const batch of BATCHES) {
    sideProxy.reset();
    const r = await bench.evaluate(
      async ({ batch }) => {
        type Local = { replicate: { from(url: string, o: object): Promise<unknown> }; info(): Promise<{ doc_count: number }> };
        const P = (window as unknown as { PouchDB: new (name: string) => Local }).PouchDB;
        const local = new P(`replica-${batch}`);
        const t0 = performance.now();
        await local.replicate.from(`${location.origin}/db/records`, { batch_size: batch });
        const ms = performance.now() - t0;
        const info = await local.info();
        return { ms, docs: info.doc_count };
      },
      { batch },
    );
    pouch.push({ batch, ...r, down: sideProxy.counts.down, up: sideProxy.counts.up });
  }

  const raw = await bench.evaluate(
    async ({ schema, table }) => {
      // The rows as the app stores them (search keys and stamps made in Node, before the clock starts).
      const rows = (await (await fetch('/rows.json')).json()) as [string, Record<string, unknown>][];
      const stores = [...new Set(Object.values(table))];
      const dbh = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('raw-download', 1);
        req.onupgradeneeded = () => {
          for (const name of stores) {
            // Dexie's schema syntax: the primary key first, then indexes (& unique, * multi-entry, [a+b] compound).
            const [pk, ...idx] = schema[name]!.split(',').map((s) => s.trim());
            const st = req.result.createObjectStore(name, { keyPath: pk! });
            for (const i of idx) {
              const unique = i.startsWith('&');
              const multiEntry = i.startsWith('*');
              const path = i.replace(/^[&*]/, '');
              const keyPath = path.startsWith('[') ? path.slice(1, -1).split('+') : path;
              st.createIndex(path, keyPath, { unique, multiEntry });
            }
          }
        };
        req.onerror = () => reject(req.error);
        req.onsuccess = () => resolve(req.result);
      });
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        const tx = dbh.transaction(stores, 'readwrite', { durability: 'relaxed' });
        const st = Object.fromEntries(stores.map((s) => [s, tx.objectStore(s)]));
        for (const [name, row] of rows) st[name]!.put(row);
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      const ms = performance.now() - t0;
      dbh.close();
      return { ms, rows: rows.length };
    },
    { schema: SCHEMA_V9 as unknown as Record<string, string>, table: TABLE },
  );

  // --- Figures. ---
  const n = records.length;
  const rate = (ms: number) => `${fmt(n / (ms / 1000))} records/s`;
  const p100 = pouch.find((p) => p.batch === 100)!;
  const p1000 = pouch.find((p) => p.batch === 1_000);
  const applyMs = appIn.elapsed;
  const gz = gzipSync(recordsJson).length;
  console.log(`first download benchmark, headless Chromium ${browser.version()}, ${fmt(MEMBERS)} members, ${fmt(n)} records (${kb(recordsJson.length)} as JSON, ${kb(gz)} gzipped); setup ${fmt(setupMs / 1000, 1)} s`);
  console.log(`app (sign-in PIN confirmed → last record stored, village list shown): ${fmt(appMs / 1000, 2)} s, ${rate(appMs)} · ${fmt(appIn.stored)} rows stored${appIn.sealed ? ', sealed' : ''} · ${appIn.pages} pages · on the wire ${kb(appWire.down)} down, ${kb(appWire.up)} up`);
  console.log(`  applying (schema checks, search keys, sealing, IndexedDB), from the first page in hand to the last stored: ${fmt(applyMs)} ms, ${rate(applyMs)}; the work summed over pages: preparing ${fmt(appIn.prepare)} ms + writing ${fmt(appIn.write)} ms = ${rate(appIn.prepare + appIn.write)}; fetching and parsing ${fmt(appIn.fetch)} ms, overlapping the writes after the first page`);
  for (const p of pouch) console.log(`PouchDB 9, batch_size ${fmt(p.batch)}: ${fmt(p.ms / 1000, 2)} s, ${rate(p.ms)} · ${fmt(p.docs)} documents · on the wire ${kb(p.down)} down, ${kb(p.up)} up`);
  console.log(`raw IndexedDB, one transaction, the same rows as the app's (search keys, stamps) and indexes, in the clear: ${fmt(raw.ms)} ms, ${rate(raw.ms)}`);
  const faster = p100.ms / appMs;
  const ofRaw = raw.ms / applyMs;
  console.log(`app / PouchDB: ${fmt(faster, 1)}× faster than batch 100${p1000 ? `, ${fmt(p1000.ms / appMs, 1)}× than batch 1,000` : ''} (target ≥ 5× batch 100: ${faster >= 5 ? 'met' : 'NOT met'})`);
  console.log(`applying / raw IndexedDB: ${fmt(ofRaw * 100)}% (target ≥ 80%: ${ofRaw >= 0.8 ? 'met' : 'NOT met'}); the work summed, not overlapped: ${fmt((raw.ms / (appIn.prepare + appIn.write)) * 100)}%`);
  console.log(`bytes on the wire, app / PouchDB batch 100: ${fmt((appWire.down / p100.down) * 100)}% (target ≤ 100%: ${appWire.down <= p100.down ? 'met' : 'NOT met'})${p1000 ? `; / batch 1,000: ${fmt((appWire.down / p1000.down) * 100)}%` : ''}`);
  if (MEMBERS >= 100_000) console.log(`${fmt(MEMBERS)} members in ${fmt(appMs / 1000, 1)} s (target < 60 s: ${appMs < 60_000 ? 'met' : 'NOT met'})`);
  else console.log('100,000 members in under 60 s: run with BENCH_MEMBERS=100000');
  if (appIn.stored !== n) throw new Error(`the app stored ${appIn.stored} rows of ${n} records`);
  for (const p of pouch) if (p.docs !== n) throw new Error(`PouchDB batch ${p.batch} holds ${p.docs} documents of ${n}`);
} finally {
  await browser.close();
  await app.close();
  await sdb.close();
  await new Promise<void>((r) => side.close(() => r()));
  await appProxy.close();
  await sideProxy.close();
}
