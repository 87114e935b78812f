/**
 * npm run bench:client
 *
 * In headless Chromium (Debian's), against the built app served by the county server:
 * - import of 100,000 members into IndexedDB through the app's import path, next to one raw
 *   IndexedDB transaction of the same rows into a store with the same three indexes;
 * - search latency p50/p95 over those 100,000 members (initials, pinyin, name, ID digits, phone);
 * - cold start to the first usable screen, offline, with the 100,000 members on the tablet;
 * - the work list and 村情 over the whole sealed store;
 * - the initial JavaScript, gzipped.
 *
 * - the tablet's exports of the default demo (10,000 members): the roster and the 台账 as .xlsx,
 *   next to reading the same rows from the store alone.
 *
 * BENCH_ONLY=care runs only the demo load and the work list and 村情 (the rest is skipped);
 * BENCH_ONLY=exports only the exports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from '../helpers.ts';
import { launch, startServer, tabletContext, waitForServiceWorker } from '../e2e/harness.ts';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100_000);
const ONLY_CARE = process.env.BENCH_ONLY === 'care';
const ONLY_EXPORTS = process.env.BENCH_ONLY === 'exports';
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

function initialJsGzip(): { files: string[]; bytes: number } {
  const html = readFileSync(join(ROOT, 'dist', 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  const bytes = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(ROOT, 'dist', f))).length, 0);
  return { files, bytes };
}

const server = await startServer();
const browser = await launch();
try {
  const context = await tabletContext(browser, true);
  // tsx keeps function names with a helper that the page does not have.
  await context.addInitScript('globalThis.__name = (f) => f;');
  const page = await context.newPage();
  await page.goto(server.url);
  await waitForServiceWorker(page);

  const imp = ONLY_CARE || ONLY_EXPORTS ? null : await page.evaluate(async (n) => {
    type Api = {
      generate(o: { members: number; seed?: number }): Promise<{ villages: unknown[]; households: unknown[]; members: Record<string, unknown>[]; statuses: unknown[]; enrolments: unknown[] }>;
      importRoster(d: unknown, p?: unknown, into?: unknown): Promise<void>;
      sealedStore(name: string): { close(): void };
    };
    const api = (window as unknown as { cunyi: Api }).cunyi;
    const county = await api.generate({ members: n, seed: 42 });
    const members = county.members;
    const rev = (s: string) => [...s].reverse().join('');
    // The same rows the app stores (with their search keys), for the raw baseline.
    const rows = members.map((m) => ({
      ...m,
      search: [`n:${m.name}`, `p:${m.pinyin}`, `i:${m.initials}`, `d:${rev(String(m.idNumber).slice(-6))}`, ...(m.phone ? [`t:${rev(String(m.phone).slice(-4))}`] : [])],
    }));

    const raw = await new Promise<number>((resolve, reject) => {
      const req = indexedDB.open('raw-bench', 1);
      req.onupgradeneeded = () => {
        const st = req.result.createObjectStore('members', { keyPath: 'id' });
        st.createIndex('householdId', 'householdId');
        st.createIndex('villageId', 'villageId');
        st.createIndex('search', 'search', { multiEntry: true });
      };
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        const dbh = req.result;
        const t0 = performance.now();
        const tx = dbh.transaction('members', 'readwrite', { durability: 'relaxed' });
        const st = tx.objectStore('members');
        for (const r of rows) st.put(r);
        tx.oncomplete = () => {
          const ms = performance.now() - t0;
          dbh.close();
          resolve(ms);
        };
        tx.onerror = () => reject(tx.error);
      };
    });

    const t1 = performance.now();
    await api.importRoster({ villages: [], households: [], members, statuses: [], enrolments: [] }, undefined, 'app-import-bench');
    const app = performance.now() - t1;
    // The same through a profile's sealed store (db/seal.ts): what a download or the demo costs.
    const sealed = api.sealedStore('app-import-sealed');
    const t2 = performance.now();
    await api.importRoster({ villages: [], households: [], members, statuses: [], enrolments: [] }, undefined, sealed);
    const sealedMs = performance.now() - t2;
    sealed.close();
    return { n: members.length, rawMs: raw, appMs: app, sealedMs };
  }, MEMBERS);

  // The default demo (10,000 members), as the welcome screen's button loads it: the figure a new user waits for.
  const demo10k = ONLY_EXPORTS ? null : await page.evaluate(async () => {
    const api = (window as unknown as { cunyi: { loadDemo(o: { members: number; seed: number }): Promise<{ members: number }>; profiles(): Promise<typeof import('../../src/client/profiles/registry.ts')> } }).cunyi;
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await api.loadDemo({ members: 10_000, seed: 7 + i });
      times.push(performance.now() - t0);
      // Gone again before the next (each load starts from no demo, as a new user's does).
      const reg = await api.profiles();
      const demo = (await reg.listProfiles()).find((p) => p.kind === 'demo');
      if (demo) await reg.removeProfile(demo.id);
    }
    return times.sort((a, b) => a - b)[1]!;
  });

  // The tablet's exports of the default demo (10,000 members, sealed as every profile is), median of 3
  // each; beside them, in the same run, the roster's rows read from the store alone.
  const exp = ONLY_CARE ? null : await page.evaluate(async () => {
    type Api = {
      loadDemo(o: { members: number; seed: number }): Promise<{ members: number }>;
      profiles(): Promise<typeof import('../../src/client/profiles/registry.ts')>;
      db(): import('../../src/client/db/schema.ts').CunyiDb;
      exports(): Promise<typeof import('../../src/client/features/exports/build.ts')>;
    };
    const api = (window as unknown as { cunyi: Api }).cunyi;
    const { members } = await api.loadDemo({ members: 10_000, seed: 11 });
    const ex = await api.exports();
    const d = api.db();
    const today = new Date().toISOString().slice(0, 10);
    const median = async (f: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await f();
        times.push(performance.now() - t0);
      }
      return times.sort((a, b) => a - b)[1]!;
    };
    const read = await median(() => Promise.all([d.villages.toArray(), d.households.toArray(), d.members.toArray(), d.statuses.toArray()]));
    let bytes = 0;
    let rows = 0;
    const roster = await median(async () => {
      const book = await ex.exportBook({ kind: 'roster', villageId: null, year: Number(today.slice(0, 4)), today });
      rows = book.rows;
      bytes = (await ex.xlsxBlob(book)).size;
    });
    const rosterBook = await median(() => ex.exportBook({ kind: 'roster', villageId: null, year: Number(today.slice(0, 4)), today }));
    const ledger = await median(async () => ex.xlsxBlob(await ex.exportBook({ kind: 'ledger', villageId: null, year: Number(today.slice(0, 4)), today })));
    const reg = await api.profiles();
    const demo = (await reg.listProfiles()).find((p) => p.kind === 'demo');
    if (demo) await reg.removeProfile(demo.id);
    return { members, rows, bytes, read, roster, rosterBook, ledger };
  });

  // The whole demo county of that size into the app's own database, for search and cold start.
  const load = ONLY_EXPORTS ? null : await page.evaluate(async (n) => {
    const api = (window as unknown as { cunyi: { loadDemo(o: { members: number; seed: number }): Promise<{ members: number }> } }).cunyi;
    const t0 = performance.now();
    const r = await api.loadDemo({ members: n, seed: 42 });
    return { members: r.members, ms: performance.now() - t0 };
  }, MEMBERS);

  const lat = ONLY_CARE || ONLY_EXPORTS ? null : await page.evaluate(async () => {
    type M = { name: string; pinyin: string; initials: string; idNumber: string; phone: string | null };
    const api = (window as unknown as { cunyi: { db(): { members: { offset(n: number): { limit(n: number): { toArray(): Promise<M[]> } } } }; search(q: string, l?: number): Promise<unknown[]> } }).cunyi;
    const sample = await api.db().members.offset(1234).limit(400).toArray();
    const queries: string[] = [];
    sample.forEach((m, i) => {
      const k = i % 5;
      if (k === 0) queries.push(m.initials.slice(0, 2));
      else if (k === 1) queries.push(m.initials);
      else if (k === 2) queries.push(m.pinyin.slice(0, 5));
      else if (k === 3) queries.push(m.idNumber.slice(-4));
      else queries.push(i % 10 === 4 ? m.idNumber : m.phone ? m.phone.slice(-4) : m.name.slice(0, 1));
    });
    const times: number[] = [];
    let hits = 0;
    for (const q of queries) {
      const t0 = performance.now();
      hits += (await api.search(q, 30)).length;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!;
    return { n: queries.length, p50: pct(50), p95: pct(95), hits };
  });

  // Recompute as the doctor types: the estimate of a member with five claims recorded this year,
  // with and without the comparison of every facility class.
  const recompute = ONLY_CARE || ONLY_EXPORTS ? null : await page.evaluate(async () => {
    type Api = { estimateLogic(): Promise<typeof import('../../src/model/estimate.ts')>; rules(): Promise<typeof import('../../src/rules/index.ts')> };
    const api = (window as unknown as { cunyi: Api }).cunyi;
    const { estimate, compareClasses } = await api.estimateLogic();
    const { builtinPack } = await api.rules();
    const pack = builtinPack('CN-140000-2017');
    const history = [{ from: null, registeredPoor: true, poorClass: null, assistance: null }];
    const prior = [1, 3, 5, 7, 9].map((m, i) => ({ id: String(i), date: `2026-0${m}-10`, kind: 'inpatient' as const, facilityClass: 'county', total: 1_200_000, outOfCatalog: 100_000, disease: null }));
    const one: number[] = [];
    const all: number[] = [];
    for (let i = 0; i < 500; i++) {
      const form = { date: '2026-11-01', kind: 'inpatient' as const, disease: '', facility: 'c:city', total: String(20000 + i), outOfCatalog: '2000', outUnknown: i % 2 === 0 };
      const t0 = performance.now();
      estimate(pack, history, prior, form);
      const t1 = performance.now();
      compareClasses(pack, history, prior, form);
      const t2 = performance.now();
      one.push(t1 - t0);
      all.push(t2 - t0);
    }
    const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * xs.length)]!;
    return { p50: p(one, 0.5), p99: p(one, 0.99), allP50: p(all, 0.5), allP99: p(all, 0.99) };
  });

  // The work list and 村情 over the whole sealed 100,000-member store, as a doctor of every village would see them.
  const care = ONLY_EXPORTS ? null : await page.evaluate(async () => {
    type Api = { careplan(): Promise<typeof import('../../src/client/db/careplan.ts')>; careModel(): Promise<typeof import('../../src/model/careplan/index.ts')> };
    const api = (window as unknown as { cunyi: Api }).cunyi;
    const { workList, worklistInput } = await api.careplan();
    const { villageFigures } = await api.careModel();
    const today = new Date().toISOString().slice(0, 10);
    const wl: number[] = [];
    const dash: number[] = [];
    const reads: number[] = [];
    let items = 0;
    // The first after the load, then seven more.
    const f0 = performance.now();
    await workList(today);
    const first = performance.now() - f0;
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      items = (await workList(today)).length;
      const t1 = performance.now();
      const input = await worklistInput(today);
      reads.push(performance.now() - t1);
      villageFigures(input);
      dash.push(performance.now() - t1);
      wl.push(t1 - t0);
    }
    // After a roster edit each time (a member's insurance recorded): the digest takes the row in, the roster is indexed again.
    const repo = await (window as unknown as { cunyi: { repo(): Promise<typeof import('../../src/client/db/repo.ts')> } }).cunyi.repo();
    const members = await (window as unknown as { cunyi: { db(): import('../../src/client/db/schema.ts').CunyiDb } }).cunyi.db().members.limit(7).toArray();
    const edited: number[] = [];
    const editedRead: number[] = [];
    const { generateWorklist } = await api.careModel();
    for (const m of members) {
      await repo.updateMember(m.id, { insured: { scheme: 'resident', year: Number(today.slice(0, 4)) + 1 } });
      const t0 = performance.now();
      const input = await worklistInput(today);
      editedRead.push(performance.now() - t0);
      generateWorklist(input);
      edited.push(performance.now() - t0);
    }
    const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(0.95 * xs.length) - 1]!;
    return { items, first, worklist: p95(wl), dashboard: p95(dash), read: p95(reads), edited: p95(edited), editedRead: p95(editedRead) };
  });

  // Unlocking: the PIN's key derivation (PBKDF2-SHA-256 at the app's iteration count) and the unwrap.
  const pin = ONLY_CARE || ONLY_EXPORTS ? null : await page.evaluate(async () => {
    const keys = await (window as unknown as { cunyi: { keys(): Promise<typeof import('../../src/client/profiles/keys.ts')> } }).cunyi.keys();
    const k = keys.newDataKey();
    const w = await keys.wrapWithPin(k, '205813');
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await keys.unwrapWithPin(w, '205813');
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { iterations: keys.PIN_ITERATIONS, median: times[2]! };
  });

  // Cold start offline: a new tab, no network, the server stopped.
  await server.stop();
  await context.setOffline(true);
  const starts: number[] = [];
  for (let i = 0; i < (ONLY_CARE || ONLY_EXPORTS ? 0 : 5); i++) {
    const p = await context.newPage();
    await p.goto(`${server.url}/villages`);
    await p.waitForFunction(() => performance.getEntriesByName('cunyi:first-usable').length > 0, null, { timeout: 30_000 });
    starts.push(await p.evaluate(() => performance.getEntriesByName('cunyi:first-usable')[0]!.startTime));
    await p.close();
  }
  starts.sort((a, b) => a - b);
  const js = initialJsGzip();

  const version = browser.version();
  console.log(`client benchmark, headless Chromium ${version}${load ? `, ${fmt(load.members)} members` : ''}`);
  if (imp) {
    console.log(`import into IndexedDB: app ${fmt(imp.n / (imp.appMs / 1000))} rows/s (${fmt(imp.appMs)} ms) · raw IndexedDB, one transaction, same 3 indexes: ${fmt(imp.n / (imp.rawMs / 1000))} rows/s (${fmt(imp.rawMs)} ms) · app/raw ${fmt((imp.rawMs / imp.appMs) * 100)}%`);
    console.log(`import sealed (AES-256-GCM, a profile's store): ${fmt(imp.n / (imp.sealedMs / 1000))} rows/s (${fmt(imp.sealedMs)} ms) · sealed/raw ${fmt((imp.rawMs / imp.sealedMs) * 100)}% (target ≥ 60%)`);
  }
  if (demo10k !== null) console.log(`default demo (10,000 members) loaded as the welcome screen does, median of 3: ${fmt(demo10k)} ms (target < 3,000 ms)`);
  if (exp) console.log(`export on the tablet, default demo (${fmt(exp.members)} members, sealed), median of 3: roster .xlsx ${fmt(exp.roster)} ms (${fmt(exp.rows)} rows, ${fmt(exp.bytes / 1024)} KB; reading and sheets alone ${fmt(exp.rosterBook)} ms) · 台账 of the year .xlsx ${fmt(exp.ledger)} ms · baseline, the same roster rows read from the store alone: ${fmt(exp.read)} ms`);
  if (load) console.log(`whole demo county (${fmt(load.members)} members, households, status, enrolments) generated and loaded on the tablet: ${fmt(load.ms)} ms`);
  if (lat && load) console.log(`search over ${fmt(load.members)} members in the sealed demo profile, ${lat.n} queries (initials, pinyin, last ID or phone digits, whole ID numbers): p50 ${fmt(lat.p50, 1)} ms, p95 ${fmt(lat.p95, 1)} ms (target p95 < 50 ms)`);
  if (recompute) console.log(`estimate recompute per change (5 recorded claims this year, range shown every other time): p50 ${fmt(recompute.p50, 2)} ms, p99 ${fmt(recompute.p99, 2)} ms; with the comparison of all classes: p50 ${fmt(recompute.allP50, 2)} ms, p99 ${fmt(recompute.allP99, 2)} ms`);
  if (care) console.log(`work list over the sealed store (${fmt(care.items)} items), first after the load ${fmt(care.first)} ms, then p95 of 7: ${fmt(care.worklist)} ms (target < 200 ms), after a roster edit each time: ${fmt(care.edited)} ms (reading the store and taking the edit in: ${fmt(care.editedRead)} ms) · 村情 of every village, p95 of 7: ${fmt(care.dashboard)} ms (target < 500 ms) · of which reading the store, p95 of 7: ${fmt(care.read)} ms`);
  if (pin) console.log(`PIN unlock (PBKDF2-SHA-256, ${fmt(pin.iterations)} iterations, then AES-GCM unwrap), median of 5: ${fmt(pin.median)} ms`);
  if (starts.length) console.log(`cold start offline to the first usable screen (median of 5): ${fmt(starts[2]!)} ms (min ${fmt(starts[0]!)}, max ${fmt(starts[4]!)})`);
  console.log(`initial JavaScript: ${fmt(js.bytes / 1024, 1)} KB gzipped (${js.files.join(', ')})`);
} finally {
  await browser.close();
  await server.stop();
}
