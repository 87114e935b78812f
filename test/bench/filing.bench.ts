/**
 * npm run bench:filing
 *
 * Proxy filings over a weak line, in headless Chromium (Debian's) against the county server with the
 * demo county: a village doctor signs in, makes BENCH_FILINGS (50) critical-illness care grant
 * filings with BENCH_PHOTOS (3) camera-sized photos each (drawn in the page, compressed by the app)
 * and a drawn signature, queues them all, and then the tablet's sync engine sends them over a line
 * throttled to 1 Mbit/s up and down with 300 ms latency (Chromium's network emulation). Timed: the
 * sync runs from the page until the outbox is empty and every filing is submitted. Afterwards, not
 * timed: the county's review API must hold every filing exactly once with every photo, byte for byte.
 *
 * The page's own sync triggers (the 3-second timer after a change, the five-minute interval) and the
 * service worker's Background Sync take the same Web Lock as every sync; the benchmark holds that
 * lock while it builds and queues the filings, so nothing is sent before the line is throttled. The
 * throttling is checked rather than assumed: a probe from the page before and after, the timing of
 * every photo chunk against its size, a probe from the service worker, and which target each
 * request of the timed part came from.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Browser, Page, Request } from 'playwright-core';
import { PROTOCOL_VERSION } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { ROOT } from '../helpers.ts';
import { launch, signIn, startServer, tabletContext, waitForServiceWorker } from '../e2e/harness.ts';

const FILINGS = Number(process.env.BENCH_FILINGS ?? 50);
const PHOTOS = Number(process.env.BENCH_PHOTOS ?? 3);
const LATENCY_MS = 300;
/** Bytes per second: 1 Mbit/s. */
const THROUGHPUT = 125_000;
const CHUNK_BYTES = 256 * 1024;
const DOC_KINDS = ['id-card', 'diagnosis', 'application'];
const H = { 'x-cunyi-protocol': String(PROTOCOL_VERSION), 'content-type': 'application/json' };
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const MB = (b: number) => b / 1_000_000;

if (!Number.isInteger(FILINGS) || FILINGS < 1) throw new Error('BENCH_FILINGS must be a whole number ≥ 1');
if (!Number.isInteger(PHOTOS) || PHOTOS < DOC_KINDS.length || PHOTOS > 39) {
  throw new Error(`BENCH_PHOTOS must be from ${DOC_KINDS.length} (the care grant needs ${DOC_KINDS.join(', ')}) to 39`);
}

/** Today in China, as the tablet's date checks see it. */
const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.parse(today) - n * 86_400_000).toISOString().slice(0, 10);

type Debug = {
  db(): import('../../src/client/db/schema.ts').CunyiDb;
  filings(): Promise<typeof import('../../src/client/db/filings.ts')>;
  images(): Promise<typeof import('../../src/client/features/filings/images.ts')>;
  sync(): Promise<typeof import('../../src/client/sync/engine.ts')>;
  rules(): Promise<typeof import('../../src/rules/index.ts')>;
};

/** A GET of /api/health from the page: its time in ms (loopback unthrottled is a few ms). */
const probe = (page: Page) =>
  page.evaluate(async () => {
    const t0 = performance.now();
    await (await fetch(`/api/health?probe=${Math.random()}`, { cache: 'no-store' })).text();
    return performance.now() - t0;
  });

/**
 * Network emulation on the service worker's own target too (the page's CDP session does not reach
 * it), through a browser session and the target's message channel. Returns the workers reached.
 */
async function emulateOnServiceWorkers(browser: Browser, origin: string): Promise<number> {
  const b = await browser.newBrowserCDPSession();
  const { targetInfos } = await b.send('Target.getTargets');
  let reached = 0;
  for (const t of targetInfos.filter((x) => x.type === 'service_worker' && x.url.startsWith(origin))) {
    const { sessionId } = await b.send('Target.attachToTarget', { targetId: t.targetId, flatten: false });
    const replies = new Map<number, (m: { error?: { message: string } }) => void>();
    b.on('Target.receivedMessageFromTarget', (e) => {
      if (e.sessionId !== sessionId) return;
      const m = JSON.parse(e.message) as { id?: number; error?: { message: string } };
      if (m.id !== undefined) replies.get(m.id)?.(m);
    });
    let id = 0;
    const call = (method: string, params: object) =>
      new Promise<void>((resolve, reject) => {
        const n = ++id;
        replies.set(n, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve()));
        void b.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: n, method, params }) }).catch(reject);
      });
    await call('Network.enable', {});
    await call('Network.emulateNetworkConditions', { offline: false, latency: LATENCY_MS, downloadThroughput: THROUGHPUT, uploadThroughput: THROUGHPUT });
    reached++;
  }
  return reached;
}

interface Seen {
  method: string;
  path: string;
  fromWorker: boolean;
  /** Request body bytes (photo chunks from their headers, JSON from the post data). */
  up: number;
  down: number;
  ms: number;
  failed: string | null;
  sha?: string;
  offset?: number;
}

process.env.CUNYI_DEMO = '1';
process.env.CUNYI_DEMO_MEMBERS ??= '600';
const server = await startServer();
delete process.env.CUNYI_DEMO;
const browser = await launch();
try {
  const context = await tabletContext(browser);
  // tsx keeps function names with a helper that the page does not have.
  await context.addInitScript('globalThis.__name = (f) => f;');
  const page = await context.newPage();
  await page.goto(`${server.url}/welcome`);
  await waitForServiceWorker(page);
  await signIn(page, server.url, 'doctor');
  await page.getByTestId('sync-pending').getByText('全部已上报').waitFor({ timeout: 120_000 });

  // Hold the sync lock: no sync (page timer, interval, service worker) runs until the line is throttled.
  await page.evaluate(
    () =>
      new Promise<void>((held) => {
        void navigator.locks.request(
          'cunyi-sync',
          () =>
            new Promise<void>((release) => {
              (window as unknown as { benchRelease: () => void }).benchRelease = release;
              held();
            }),
        );
      }),
  );

  // Members of the doctor's villages, registered poor first (the grant's group).
  const members = await page.evaluate(async () => {
    const d = (window as unknown as { cunyi: Debug }).cunyi.db();
    const poor = new Set((await d.statuses.toArray()).filter((s) => s.poverty === 'poor').map((s) => s.memberId));
    const all = (await d.members.toArray()).sort((a, b) => a.id.localeCompare(b.id));
    return [...all.filter((m) => poor.has(m.id)), ...all.filter((m) => !poor.has(m.id))].map((m) => m.id);
  });
  if (members.length === 0) throw new Error('the doctor has no members after the first download');

  // Build the filings in the page: photos drawn at 2400×1800, compressed by the app, a drawn signature.
  const tBuild = performance.now();
  const built: { id: string; docs: { kind: string; sha256: string; size: number }[]; sourceBytes: number }[] = [];
  for (let i = 0; i < FILINGS; i++) {
    built.push(
      await page.evaluate(
        async ({ i, memberId, photos, kinds, today, diagnosisDate }) => {
          const api = (window as unknown as { cunyi: Debug }).cunyi;
          const filings = await api.filings();
          const { compressPhoto } = await api.images();
          const { builtinPack } = await api.rules();
          const grant = builtinPack('CN-140000-2017').grants.find((g) => g.id === 'critical-care-grant')!;

          /** mulberry32 */
          const rng = (seed: number) => {
            let a = seed >>> 0;
            return () => {
              a = (a + 0x6d2b79f5) >>> 0;
              let t = a;
              t = Math.imul(t ^ (t >>> 15), t | 1);
              t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
              return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
            };
          };
          const HAN = '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质导';
          const toBlob = (c: HTMLCanvasElement, type: string, q?: number) => new Promise<Blob>((res, rej) => c.toBlob((b) => (b ? res(b) : rej(new Error('toBlob'))), type, q));

          /** A phone photo of a paper document on a table: lit unevenly, slightly turned, with sensor noise. */
          async function photo(seed: number, label: string): Promise<Blob> {
            const r = rng(seed);
            const W = 2400;
            const H = 1800;
            const c = document.createElement('canvas');
            c.width = W;
            c.height = H;
            const ctx = c.getContext('2d', { willReadFrequently: true })!;
            // The table: a wood-like surface.
            const hue = 20 + r() * 25;
            ctx.fillStyle = `hsl(${hue} 35% ${30 + r() * 15}%)`;
            ctx.fillRect(0, 0, W, H);
            for (let k = 0; k < 500; k++) {
              ctx.strokeStyle = `hsla(${hue + r() * 10} 40% ${20 + r() * 30}% / 0.25)`;
              ctx.lineWidth = 1 + r() * 4;
              const y = r() * H;
              ctx.beginPath();
              ctx.moveTo(0, y);
              ctx.bezierCurveTo(W / 3, y + (r() - 0.5) * 80, (2 * W) / 3, y + (r() - 0.5) * 80, W, y + (r() - 0.5) * 60);
              ctx.stroke();
            }
            // The paper, slightly turned.
            ctx.save();
            ctx.translate(W / 2 + (r() - 0.5) * 120, H / 2 + (r() - 0.5) * 80);
            ctx.rotate((r() - 0.5) * 0.12);
            const pw = W * 0.78;
            const ph = H * 0.86;
            ctx.shadowColor = 'rgba(0,0,0,0.45)';
            ctx.shadowBlur = 40;
            ctx.shadowOffsetX = 12;
            ctx.shadowOffsetY = 16;
            ctx.fillStyle = `hsl(45 30% ${90 + r() * 6}%)`;
            ctx.fillRect(-pw / 2, -ph / 2, pw, ph);
            ctx.shadowColor = 'transparent';
            ctx.fillStyle = '#1d1d1d';
            ctx.font = `bold ${64 + Math.floor(r() * 20)}px sans-serif`;
            ctx.fillText(label, -pw / 2 + 120, -ph / 2 + 140);
            // Lines of handwriting-sized and print-sized text.
            let y = -ph / 2 + 240;
            while (y < ph / 2 - 300) {
              const size = 30 + Math.floor(r() * 16);
              ctx.font = `${size}px serif`;
              ctx.fillStyle = `rgba(20,20,${40 + Math.floor(r() * 80)},${0.75 + r() * 0.25})`;
              let line = '';
              const n = 20 + Math.floor(r() * 30);
              for (let k = 0; k < n; k++) line += HAN[Math.floor(r() * HAN.length)];
              if (r() < 0.3) line += ` ${Math.floor(r() * 1e8)}`;
              ctx.fillText(line, -pw / 2 + 100 + r() * 30, y, pw - 200);
              y += size * (1.5 + r() * 0.5);
            }
            // A table of figures.
            ctx.strokeStyle = '#333';
            ctx.lineWidth = 2;
            ctx.font = '30px monospace';
            ctx.fillStyle = '#222';
            for (let row = 0; row < 4; row++) {
              for (let col = 0; col < 5; col++) {
                const x = -pw / 2 + 100 + col * 300;
                const yy = ph / 2 - 280 + row * 55;
                ctx.strokeRect(x, yy, 300, 55);
                ctx.fillText((r() * 10000).toFixed(2), x + 20, yy + 40);
              }
            }
            // A red stamp and a signature.
            ctx.strokeStyle = 'rgba(200,20,20,0.8)';
            ctx.lineWidth = 8;
            ctx.beginPath();
            ctx.arc(pw / 2 - 300, ph / 2 - 200, 130, 0, Math.PI * 2);
            ctx.stroke();
            ctx.fillStyle = 'rgba(200,20,20,0.8)';
            ctx.font = 'bold 40px sans-serif';
            ctx.fillText('专用章', pw / 2 - 360, ph / 2 - 190);
            ctx.strokeStyle = '#112';
            ctx.lineWidth = 4;
            ctx.beginPath();
            ctx.moveTo(pw / 2 - 700, ph / 2 - 100);
            for (let k = 0; k < 30; k++) ctx.lineTo(pw / 2 - 700 + k * 14, ph / 2 - 100 - r() * 60);
            ctx.stroke();
            ctx.restore();
            // Uneven light.
            const g = ctx.createRadialGradient(W * r(), H * r(), 100, W / 2, H / 2, W * 0.8);
            g.addColorStop(0, 'rgba(255,255,240,0.18)');
            g.addColorStop(1, 'rgba(0,0,0,0.35)');
            ctx.fillStyle = g;
            ctx.fillRect(0, 0, W, H);
            // Sensor noise.
            const img = ctx.getImageData(0, 0, W, H);
            const px = img.data;
            let s = seed >>> 0 || 1;
            for (let p = 0; p < px.length; p += 4) {
              s ^= s << 13;
              s ^= s >>> 17;
              s ^= s << 5;
              const n = ((s & 0xff) - 128) / 10;
              px[p] = px[p]! + n;
              px[p + 1] = px[p + 1]! + n;
              px[p + 2] = px[p + 2]! + n + (((s >>> 8) & 0xf) - 8) / 4;
            }
            ctx.putImageData(img, 0, 0);
            return toBlob(c, 'image/jpeg', 0.92);
          }

          async function signature(seed: number): Promise<Blob> {
            const r = rng(seed);
            const c = document.createElement('canvas');
            c.width = 600;
            c.height = 200;
            const ctx = c.getContext('2d')!;
            ctx.fillStyle = '#fff';
            ctx.fillRect(0, 0, 600, 200);
            ctx.strokeStyle = '#111';
            ctx.lineWidth = 3;
            ctx.lineCap = 'round';
            ctx.beginPath();
            ctx.moveTo(40, 120);
            for (let k = 1; k <= 40; k++) ctx.lineTo(40 + k * 13, 120 - 60 * Math.sin(k / (2 + r() * 2)) + (r() - 0.5) * 20);
            ctx.stroke();
            return toBlob(c, 'image/png');
          }

          const f = await filings.createFiling(memberId, 'critical-care-grant');
          await filings.setField(f.id, 'grantDisease', grant.diseases[i % grant.diseases.length]!.id);
          await filings.setField(f.id, 'lateStage', 'yes');
          await filings.setField(f.id, 'diagnosisDate', diagnosisDate);
          await filings.setField(f.id, 'payee', `本人 · 农商银行 6230 **** ${String(1000 + i).slice(-4)}`);
          let sourceBytes = 0;
          for (let k = 0; k < photos; k++) {
            const kind = kinds[k % kinds.length]!;
            const raw = await photo(i * 100 + k + 1, `${kind} · ${i + 1}-${k + 1}`);
            sourceBytes += raw.size;
            await filings.addPhoto(f.id, kind, await compressPhoto(raw));
          }
          await filings.setConsent(f.id, 'signature', '本人', await signature(i + 7));
          await filings.patchContent(f.id, (c) => ({ ...c, villageConfirmation: { by: '村委会 王主任', date: today } }));
          const issues = await filings.filingIssues(f.id, today);
          if (issues.length) throw new Error(`filing ${i} incomplete: ${issues.map((x) => x.path).join(', ')}`);
          const row = (await api.db().filings.get(f.id))!;
          return { id: f.id, docs: row.content.documents.map((d) => ({ kind: d.kind, sha256: d.sha256, size: d.size })), sourceBytes };
        },
        { i, memberId: members[i % members.length]!, photos: PHOTOS, kinds: DOC_KINDS, today, diagnosisDate: daysAgo(20 + (i % 60)) },
      ),
    );
    if ((i + 1) % 10 === 0 || i + 1 === FILINGS) process.stdout.write(`built ${i + 1}/${FILINGS} filings\r`);
  }
  process.stdout.write('\n');
  const buildMs = performance.now() - tBuild;

  await page.evaluate(
    async ({ ids, today }) => {
      const filings = await (window as unknown as { cunyi: Debug }).cunyi.filings();
      for (const id of ids) await filings.queueFiling(id, today);
    },
    { ids: built.map((b) => b.id), today },
  );
  // Let the page's 3-second trigger after the last queued change fire (and find the lock held).
  await page.waitForTimeout(4_000);
  const queued = await page.evaluate(async () => {
    const d = (window as unknown as { cunyi: Debug }).cunyi.db();
    const rows = await d.filings.toArray();
    return { outbox: await d.outbox.count(), queued: rows.filter((f) => f.local?.queued).length, uploaded: (await d.attachments.toArray()).filter((a) => a.uploaded).length };
  });
  if (queued.outbox !== FILINGS || queued.queued !== FILINGS || queued.uploaded !== 0) throw new Error(`before the timed part: ${JSON.stringify(queued)}`);

  const photoDocs = built.flatMap((b) => b.docs.filter((d) => d.kind !== 'consent'));
  const consentDocs = built.flatMap((b) => b.docs.filter((d) => d.kind === 'consent'));
  const photoBytes = photoDocs.reduce((s, d) => s + d.size, 0);
  const consentBytes = consentDocs.reduce((s, d) => s + d.size, 0);
  const sourceBytes = built.reduce((s, b) => s + b.sourceBytes, 0);
  const expectedChunks = built.flatMap((b) => b.docs).reduce((s, d) => s + Math.ceil(d.size / CHUNK_BYTES), 0);

  // Throttle: the page's session, and the service worker's target as well.
  const sw = context.serviceWorkers().find((w) => w.url().startsWith(server.url));
  const workerProbe = async () =>
    sw
      ? sw.evaluate(async () => {
          const t0 = performance.now();
          await (await fetch(`/api/health?probe=${Math.random()}`, { cache: 'no-store' })).text();
          return performance.now() - t0;
        })
      : null;
  const unthrottled = await probe(page);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: LATENCY_MS, downloadThroughput: THROUGHPUT, uploadThroughput: THROUGHPUT });
  const workerPageOnly = await workerProbe();
  let workers = 0;
  let workerNote = '';
  try {
    workers = await emulateOnServiceWorkers(browser, server.url);
  } catch (e) {
    workerNote = ` (emulation on the worker target failed: ${(e as Error).message})`;
  }
  const throttled = await probe(page);
  const workerThrottled = await workerProbe();

  // Every request of the timed part, from the page or from the service worker.
  const seen: Seen[] = [];
  let timing = false;
  const pendingSizes: Promise<void>[] = [];
  const record = (req: Request, failed: string | null) => {
    if (!timing) return;
    const url = new URL(req.url());
    if (!url.pathname.startsWith('/api/') || url.searchParams.has('probe')) return;
    const h = req.headers();
    const s: Seen = { method: req.method(), path: url.pathname, fromWorker: req.serviceWorker() !== null, up: 0, down: 0, ms: req.timing().responseEnd, failed };
    if (s.method === 'PUT' && url.pathname.startsWith('/api/sync/uploads/')) {
      s.sha = url.pathname.split('/').pop()!;
      s.offset = Number(h['x-cunyi-offset']);
      s.up = Math.min(CHUNK_BYTES, Number(h['x-cunyi-size']) - s.offset);
    } else {
      s.up = req.postDataBuffer()?.length ?? 0;
    }
    seen.push(s);
    pendingSizes.push(
      req.sizes().then(
        (z) => {
          s.down = z.responseBodySize + z.responseHeadersSize;
          s.up += z.requestHeadersSize;
        },
        () => {},
      ),
    );
  };
  context.on('requestfinished', (r) => record(r, null));
  context.on('requestfailed', (r) => record(r, r.failure()?.errorText ?? 'failed'));

  // The timed part: syncNow from the page until the outbox is empty and every filing is submitted.
  const runs: { ms: number; outcome: { pushed: number; rejected: number; photos: number; pulled: number; error: string | null } | null }[] = [];
  let lockBusy = 0;
  timing = true;
  const t0 = performance.now();
  await page.evaluate(() => (window as unknown as { benchRelease: () => void }).benchRelease());
  let done = false;
  while (!done) {
    const r0 = performance.now();
    const outcome = await page.evaluate(async () => {
      const { syncNow } = await (window as unknown as { cunyi: Debug }).cunyi.sync();
      const o = await syncNow();
      return o && { pushed: o.pushed, rejected: o.rejected, photos: o.photos, pulled: o.pulled, error: o.error };
    });
    runs.push({ ms: performance.now() - r0, outcome });
    if (outcome === null) {
      // Another sync of this device held the lock: wait for it, then go on.
      lockBusy++;
      await page.evaluate(() => navigator.locks.request('cunyi-sync', () => undefined));
    }
    const state = await page.evaluate(async () => {
      const d = (window as unknown as { cunyi: Debug }).cunyi.db();
      const rows = await d.filings.toArray();
      return { outbox: await d.outbox.count(), submitted: rows.filter((f) => f.status === 'submitted' && !f.local?.queued).length, problems: rows.filter((f) => f.local?.problem).map((f) => f.local!.problem) };
    });
    done = state.outbox === 0 && state.submitted === FILINGS;
    if (!done && state.problems.length) throw new Error(`refused by the county: ${JSON.stringify(state.problems.slice(0, 3))}`);
    if (!done && runs.length >= 50) throw new Error(`not done after ${runs.length} runs: ${JSON.stringify(state)}, last ${JSON.stringify(outcome)}`);
  }
  const totalMs = performance.now() - t0;
  timing = false;
  await Promise.all(pendingSizes);

  // ---- Verification on the county server (not timed).
  const login = await (await fetch(`${server.url}/api/login`, { method: 'POST', headers: H, body: JSON.stringify({ username: 'county', password: 'cunyi-demo', deviceId: ulid() }) })).json();
  const auth = { ...H, authorization: `Bearer ${login.token as string}` };
  const listed: { id: string; status: string }[] = [];
  let total = 0;
  for (let offset = 0; ; offset += 500) {
    const r = await (await fetch(`${server.url}/api/review/filings?limit=500&offset=${offset}`, { headers: auth })).json();
    listed.push(...r.filings);
    total = r.total;
    if (r.filings.length < 500) break;
  }
  const counts = new Map<string, number>();
  for (const f of listed) counts.set(f.id, (counts.get(f.id) ?? 0) + 1);
  const problems: string[] = [];
  if (total !== FILINGS) problems.push(`the county lists ${total} filings, not ${FILINGS}`);
  let docsChecked = 0;
  let docBytes = 0;
  for (const b of built) {
    if (counts.get(b.id) !== 1) problems.push(`filing ${b.id} listed ${counts.get(b.id) ?? 0} times`);
    const detail = await (await fetch(`${server.url}/api/review/filings/${b.id}`, { headers: auth })).json();
    const rec = detail.filing as { status: string; content: { documents: { sha256: string; size: number; kind: string }[] } } | undefined;
    if (!rec) {
      problems.push(`filing ${b.id}: no detail`);
      continue;
    }
    if (rec.status !== 'submitted') problems.push(`filing ${b.id} is ${rec.status}`);
    const want = b.docs.map((d) => `${d.kind}:${d.sha256}:${d.size}`).sort();
    const got = rec.content.documents.map((d) => `${d.kind}:${d.sha256}:${d.size}`).sort();
    if (want.join() !== got.join()) problems.push(`filing ${b.id}: documents differ`);
    for (const d of rec.content.documents) {
      const r = await fetch(`${server.url}/api/filings/${b.id}/documents/${d.sha256}`, { headers: { authorization: auth.authorization } });
      const bytes = Buffer.from(await r.arrayBuffer());
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (r.status !== 200 || bytes.length !== d.size || sha !== d.sha256) problems.push(`filing ${b.id} photo ${d.kind}: HTTP ${r.status}, ${bytes.length} of ${d.size} bytes`);
      docsChecked++;
      docBytes += bytes.length;
    }
  }

  // ---- The figures.
  const put = seen.filter((s) => s.method === 'PUT' && s.path.startsWith('/api/sync/uploads/'));
  const byKind = (label: string, xs: Seen[]) =>
    `${label}: ${fmt(xs.length)} requests, ${fmt(MB(xs.reduce((a, s) => a + s.up, 0)), 2)} MB up, ${fmt(xs.reduce((a, s) => a + s.down, 0) / 1000, 1)} kB down, ${xs.length ? fmt(xs.reduce((a, s) => a + s.ms, 0) / xs.length) : '-'} ms mean`;
  const kinds = [
    ['photo chunks (PUT /api/sync/uploads/:sha256)', put],
    ['upload status (GET /api/sync/uploads/:sha256)', seen.filter((s) => s.method === 'GET' && s.path.startsWith('/api/sync/uploads/'))],
    ['push (POST /api/sync/push)', seen.filter((s) => s.path === '/api/sync/push')],
    ['pull (GET /api/sync/pull)', seen.filter((s) => s.path === '/api/sync/pull')],
    ['other', seen.filter((s) => !s.path.startsWith('/api/sync/'))],
  ] as const;
  const upBytes = seen.reduce((a, s) => a + s.up, 0);
  const downBytes = seen.reduce((a, s) => a + s.down, 0);
  // Each chunk against the line: at least the latency plus its bytes at 1 Mbit/s.
  const ratios = put.filter((s) => !s.failed).map((s) => s.ms / (LATENCY_MS + (s.up / THROUGHPUT) * 1000));
  const minRatio = ratios.length ? Math.min(...ratios) : NaN;
  const maxRatio = ratios.length ? Math.max(...ratios) : NaN;
  const slow = ratios.filter((x) => x >= 0.95).length;
  // Every byte of every document went up in a PUT the page made (a photo another sender had
  // uploaded would need no PUT here).
  const covered = built.flatMap((b) => b.docs).every((d) => {
    const offsets = new Set(put.filter((s) => s.sha === d.sha256 && !s.fromWorker && !s.failed).map((s) => s.offset));
    for (let o = 0; o < d.size; o += CHUNK_BYTES) if (!offsets.has(o)) return false;
    return true;
  });
  const fromWorker = seen.filter((s) => s.fromWorker);
  const failed = seen.filter((s) => s.failed);
  const pushedTotal = runs.reduce((a, r) => a + (r.outcome?.pushed ?? 0), 0);
  const photosTotal = runs.reduce((a, r) => a + (r.outcome?.photos ?? 0), 0);
  const pw = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'playwright-core', 'package.json'), 'utf8')) as { version: string }).version;
  const envs = [process.env.BENCH_FILINGS !== undefined ? `BENCH_FILINGS=${FILINGS}` : '', process.env.BENCH_PHOTOS !== undefined ? `BENCH_PHOTOS=${PHOTOS}` : ''].filter(Boolean).join(' ');
  const command = `${envs ? `${envs} ` : ''}${process.env.npm_lifecycle_event === 'bench:filing' ? 'npm run bench:filing' : 'tsx test/bench/filing.bench.ts'}`;
  const seconds = totalMs / 1000;
  const nDocs = photoDocs.length;

  console.log(`filing sync benchmark: ${command}`);
  console.log(`node ${process.version}, headless Chromium ${browser.version()} (${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'}), playwright-core ${pw}; server SQLite, demo county of ${process.env.CUNYI_DEMO_MEMBERS} members`);
  console.log(`line: Chromium network emulation, ${fmt(LATENCY_MS)} ms latency, ${fmt(THROUGHPUT)} B/s (1 Mbit/s) up and down`);
  console.log(
    `filings: ${FILINGS} critical-illness care grants, each ${PHOTOS} photos + a drawn signature (PNG) + village confirmation, built and queued on the tablet in ${fmt(buildMs / 1000, 1)} s (not timed)`,
  );
  console.log(
    `photos: drawn 2400×1800, camera JPEG mean ${fmt(sourceBytes / nDocs / 1024)} KiB → compressed by the app (1600×1200) mean ${fmt(photoBytes / nDocs / 1024)} KiB (min ${fmt(Math.min(...photoDocs.map((d) => d.size)) / 1024)}, max ${fmt(Math.max(...photoDocs.map((d) => d.size)) / 1024)}), signatures mean ${fmt(consentBytes / consentDocs.length / 1024, 1)} KiB; ${nDocs} photos ${fmt(MB(photoBytes), 2)} MB + ${consentDocs.length} signatures ${fmt(MB(consentBytes), 3)} MB = ${fmt(MB(photoBytes + consentBytes), 2)} MB (10^6 bytes) of documents (${fmt(expectedChunks)} chunks of ≤256 KiB)`,
  );
  console.log('');
  console.log(`TIMED: ${FILINGS} filings synced in ${fmt(seconds, 1)} s (${fmt(seconds / 60, 2)} min) · ${fmt(FILINGS / (seconds / 60), 2)} filings/min · ${runs.length} syncNow run(s) from the page${lockBusy ? ` (${lockBusy} found the lock held by another sync of the device)` : ''}`);
  console.log(`  runs: ${runs.map((r) => `${fmt(r.ms / 1000, 1)} s ${r.outcome ? `pushed ${r.outcome.pushed}, photos ${r.outcome.photos}, rejected ${r.outcome.rejected}, pulled ${r.outcome.pulled}${r.outcome.error ? `, error ${r.outcome.error}` : ''}` : 'lock held elsewhere'}`).join(' | ')}`);
  console.log(`  uploaded ${fmt(MB(upBytes), 2)} MB (request bodies and headers; documents ${fmt(MB(photoBytes + consentBytes), 2)} MB), downloaded ${fmt(MB(downBytes), 3)} MB`);
  console.log(
    `  effective upload ${fmt((upBytes * 8) / seconds / 1e6, 3)} Mbit/s = ${fmt(((upBytes / seconds) / THROUGHPUT) * 100, 1)}% of the 1 Mbit/s line (documents alone ${fmt(((photoBytes + consentBytes) * 8) / seconds / 1e6, 3)} Mbit/s); ideal for these bytes at line rate, no latency: ${fmt(upBytes / THROUGHPUT, 1)} s`,
  );
  console.log(`  HTTP requests in the timed part: ${fmt(seen.length)} (${fmt(failed.length)} failed, ${fmt(fromWorker.length)} from the service worker), × ${LATENCY_MS} ms latency = ${fmt((seen.length * LATENCY_MS) / 1000, 1)} s of round trips`);
  for (const [label, xs] of kinds) if (xs.length) console.log(`    ${byKind(label, xs)}`);
  console.log('');
  console.log('throttling, how it was ensured:');
  console.log(`  - sync started only by the bench, from the page (window.cunyi.sync().syncNow()); the 'cunyi-sync' Web Lock that every sync takes (page triggers and the service worker's Background Sync) was held while the filings were built and queued, and released only after throttling was on; nothing was uploaded before (0 attachments marked uploaded, ${FILINGS} outbox rows)`);
  console.log(`  - emulation on the page's CDP session; probe GET /api/health from the page: ${fmt(unthrottled, 1)} ms before, ${fmt(throttled, 1)} ms after`);
  console.log(
    `  - emulation also on the service worker target (${workers} worker(s), via Target.sendMessageToTarget)${workerNote}; probe from the worker: ${workerPageOnly === null || workerThrottled === null ? 'no worker running' : `${fmt(workerPageOnly, 1)} ms with the page's emulation only, ${fmt(workerThrottled, 1)} ms with its own`}`,
  );
  console.log(
    `  - ${fmt(put.length)} photo chunk PUTs, all ${fromWorker.length === 0 ? 'from the page' : `but ${fromWorker.length} from the page`}; each took ${fmt(minRatio, 2)}–${fmt(maxRatio, 2)} × (300 ms + its bytes at 1 Mbit/s) (${slow} of ${ratios.length} at ≥ 0.95×); every byte of all ${built.length * (PHOTOS + 1)} documents went up in the page's PUTs: ${covered ? 'yes' : 'NO'}; the page's syncs pushed ${pushedTotal} filings and uploaded ${photosTotal} documents`,
  );
  console.log('');
  console.log(
    `county server check (not timed): ${total} filings listed to the county reviewer, ${built.filter((b) => counts.get(b.id) === 1).length} of ${FILINGS} exactly once, ${docsChecked} documents downloaded (${fmt(MB(docBytes), 2)} MB), size and SHA-256 equal: ${problems.length === 0 ? 'all OK' : `${problems.length} PROBLEMS`}`,
  );
  for (const p of problems.slice(0, 20)) console.log(`  ${p}`);
  if (problems.length) process.exitCode = 1;
} finally {
  await browser.close();
  await server.stop();
}
