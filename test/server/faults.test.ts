/**
 * Fault injection: scripted devices push 10,000 mutations through a proxy that drops requests,
 * drops responses after the server acted, duplicates and delays requests (so they reorder), while
 * the server is killed with SIGKILL and restarted mid-batch. Two of the devices also upload photos
 * in chunks through the same proxy (resuming from the server's count after every failure) and then
 * push filings naming them. Afterwards the server holds each mutation's effect exactly once, every
 * outbox has drained, every photo is complete and byte-identical, and a device that pulled by
 * checkpoint all along has every record: no change was skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCounty } from '../../src/model/demo/index.ts';
import { Rng } from '../../src/model/demo/random.ts';
import { CONSENT_KIND, type FilingContent, type FilingRecord } from '../../src/model/filing.ts';
import { PROTOCOL_VERSION, type Mutation, type MutationResult } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { createUser } from '../../src/server/auth.ts';
import { openDb } from '../../src/server/db.ts';
import { importCounty } from '../../src/server/sync/index.ts';
import { ROOT } from '../helpers.ts';
import { BACKENDS, freshDb } from './backends.ts';
import { visitOf } from './careplan-records.ts';
import { png, sha256 } from './photos.ts';

const TOTAL = Number(process.env.FAULT_MUTATIONS ?? 10_000);
const DEVICES = 4;
const PASSWORD = 'fault-password';
/** Devices that also file: each uploads FILINGS × 3 photos of one to three chunks, then pushes the filings. */
const PHOTO_DEVICES = 2;
const FILINGS = 4;
const CHUNK = 256 * 1024;

/** Seeded randomness: the demo generator's, so every run sees the same sequence. */
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** The county server as a separate process that can be killed outright. */
class ServerProcess {
  proc: ChildProcess | null = null;
  restarts = 0;
  constructor(
    readonly port: number,
    readonly env: Record<string, string>,
  ) {}
  async start(): Promise<void> {
    this.proc = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1', CUNYI_DEMO: '0' },
      stdio: 'ignore',
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${this.port}/api/health`)).ok) return;
      } catch {
        /* starting */
      }
      if (Date.now() > deadline) throw new Error('server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  kill(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }
}

/** An HTTP proxy that loses, repeats and delays traffic on purpose. */
function faultyProxy(upstreamPort: number, seed: number) {
  const rand = rng(seed);
  const stats = { requests: 0, droppedRequests: 0, droppedResponses: 0, duplicated: 0 };
  const forward = (method: string, url: string, headers: http.IncomingHttpHeaders, body: Buffer) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: upstreamPort, method, path: url, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      stats.requests++;
      const body = Buffer.concat(chunks);
      const roll = rand();
      await new Promise((r) => setTimeout(r, Math.floor(rand() * 40)));
      if (roll < 0.08) {
        stats.droppedRequests++;
        res.destroy();
        return;
      }
      try {
        const first = forward(req.method!, req.url!, req.headers, body);
        if (roll < 0.16) {
          stats.duplicated++;
          void forward(req.method!, req.url!, req.headers, body).catch(() => {});
        }
        const r = await first;
        if (roll > 0.92) {
          // the server acted, but the answer never arrives
          stats.droppedResponses++;
          res.destroy();
          return;
        }
        // The answer as the server sent it: compressed answers keep their content-encoding.
        res.writeHead(r.status, { 'content-type': r.headers['content-type'] ?? 'application/json', ...(r.headers['content-encoding'] ? { 'content-encoding': r.headers['content-encoding'] } : {}) });
        res.end(r.body);
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  return { server, stats };
}

async function call(base: string, path: string, init: { method?: string; token?: string; body?: unknown }): Promise<{ status: number; json: any } | null> {
  try {
    const r = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: { 'x-cunyi-protocol': String(PROTOCOL_VERSION), 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: r.status, json: await r.json().catch(() => null) };
  } catch {
    return null; // network failure: try again later
  }
}

/** A photo chunk (or a status request) through the network; null when the network failed. */
async function callBytes(base: string, path: string, init: { method?: string; token: string; headers?: Record<string, string>; body?: Buffer }): Promise<{ status: number; json: any } | null> {
  try {
    const r = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: { 'x-cunyi-protocol': String(PROTOCOL_VERSION), authorization: `Bearer ${init.token}`, ...(init.body ? { 'content-type': 'application/octet-stream' } : {}), ...init.headers },
      body: init.body ? new Uint8Array(init.body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: r.status, json: await r.json().catch(() => null) };
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Photo {
  bytes: Buffer;
  sha: string;
}

for (const backend of BACKENDS) {
  describe(`fault injection on ${backend}`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const c of cleanup.reverse()) await c();
    });

    it(`${TOTAL} mutations from ${DEVICES} devices through a faulty network and server kills arrive exactly once`, async () => {
      // A database with a small county and one account per device.
      const fresh = await freshDb(backend);
      const county = generateCounty({ seed: 21, members: 150 });
      await importCounty(fresh.db, county);
      for (let i = 0; i < DEVICES; i++) await createUser(fresh.db, { username: `device${i}`, displayName: `d${i}`, role: 'village-doctor', password: PASSWORD, areas: ['141130'] });
      await createUser(fresh.db, { username: 'watcher', displayName: 'w', role: 'county-reviewer', password: PASSWORD, areas: ['141130'] });
      const env: Record<string, string> = {};
      if (backend === 'sqlite') {
        env.DATA_DIR = (fresh.location.match(/^(.*)\/cunyi\.sqlite$/) ?? [])[1]!;
      } else {
        env.DATABASE_URL = (fresh as unknown as { url?: string }).url ?? '';
      }
      await fresh.close();
      cleanup.push(() => fresh.drop().catch(() => {}));
      const dist = mkdtempSync(join(tmpdir(), 'cunyi-dist-'));
      mkdirSync(dist, { recursive: true });
      writeFileSync(join(dist, 'index.html'), '<!doctype html>');
      env.DIST_DIR = dist;

      const upstream = new ServerProcess(await freePort(), env);
      await upstream.start();
      cleanup.push(() => upstream.kill());
      const { server: proxy, stats } = faultyProxy(upstream.port, 7);
      const proxyPort = await freePort();
      await new Promise<void>((r) => proxy.listen(proxyPort, '127.0.0.1', r));
      cleanup.push(() => new Promise((r) => proxy.close(() => r())));
      const base = `http://127.0.0.1:${proxyPort}`;

      // Sign in each device (through the faulty network, retrying).
      const signIn = async (username: string) => {
        const deviceId = ulid();
        for (;;) {
          const r = await call(base, '/api/login', { method: 'POST', body: { username, password: PASSWORD, deviceId } });
          if (r?.status === 200) return { token: r.json.token as string, deviceId };
          await sleep(50);
        }
      };

      // Each device's outbox: visits to members of the county, and some phone edits.
      const members = county.members;
      const outboxes: Mutation[][] = [];
      const created = new Set<string>();
      for (let d = 0; d < DEVICES; d++) {
        const list: Mutation[] = [];
        for (let i = 0; i < TOTAL / DEVICES; i++) {
          const m = members[(d * 997 + i * 31) % members.length]!;
          const id = ulid();
          created.add(id);
          list.push({ id: ulid(), entity: 'visit', entityId: id, op: 'create', baseRev: null, data: visitOf(m, id, { date: '2026-11-01', note: `visit ${d}-${i}` }), createdAt: new Date().toISOString() });
        }
        outboxes.push(list);
      }

      // The filing devices' photos (about 120 KB to 530 KB: one to three chunks) and filings naming them.
      const photos: Photo[][] = [];
      const filings: Mutation[][] = [];
      const filed = new Set<string>();
      const sides = [200, 300, 420];
      for (let d = 0; d < PHOTO_DEVICES; d++) {
        const mine: Photo[] = [];
        const list: Mutation[] = [];
        for (let i = 0; i < FILINGS; i++) {
          const set = [0, 1, 2].map((k) => {
            const side = sides[(i + k) % sides.length]!;
            const bytes = png(side, side, 1_000 + d * 100 + i * 10 + k);
            return { bytes, sha: sha256(bytes) };
          });
          mine.push(...set);
          const m = members[(d * 389 + i * 53) % members.length]!;
          const doc = (kind: string, p: Photo) => ({ id: ulid(), kind, sha256: p.sha, size: p.bytes.length, mime: 'image/png' });
          const content: FilingContent = {
            fields: { disease: 'I10', diagnosisDate: '2026-02-01' },
            documents: [doc('id-card', set[0]!), doc('medical-record', set[1]!), doc(CONSENT_KIND, set[2]!)],
            consent: { method: 'photo', signer: m.name, at: '2026-02-02T03:00:00.000Z', sha256: set[2]!.sha },
            villageConfirmation: null,
            estimate: null,
          };
          const id = ulid();
          filed.add(id);
          list.push({
            id: ulid(),
            entity: 'filing',
            entityId: id,
            op: 'create',
            baseRev: null,
            data: { id, memberId: m.id, householdId: m.householdId, villageId: m.villageId, packId: county.county.packId, type: 'chronic-certification', version: 1, content, createdAt: new Date().toISOString() },
            createdAt: new Date().toISOString(),
          });
        }
        photos.push(mine);
        filings.push(list);
      }
      const uploadStats = { chunks: 0, resumes: 0 };

      // The server is killed outright every so often while the devices push.
      let running = true;
      const killRand = rng(99);
      const killer = (async () => {
        while (running) {
          await sleep(400 + Math.floor(killRand() * 1_100));
          if (!running) break;
          await upstream.kill();
          upstream.restarts++;
          await upstream.start();
        }
      })();

      // A watcher pulls by checkpoint all along; at the end it must have seen every visit.
      const seen = new Set<string>();
      const watcher = (async () => {
        const { token } = await signIn('watcher');
        let since = 0;
        for (;;) {
          // Only a pull sent after the last push was answered may end the watch: one sent before
          // may have been read by the server before that push committed.
          const last = !running;
          const r = await call(base, `/api/sync/pull?since=${since}&limit=500`, { token });
          if (r?.status === 200) {
            for (const rec of r.json.records) if (rec.entity === 'visit') seen.add(rec.id);
            since = r.json.checkpoint;
            if (last && r.json.remaining === 0) return;
          } else await sleep(50);
        }
      })();

      const results = new Map<string, MutationResult>();
      const drain = async (box: Mutation[], { token, deviceId }: { token: string; deviceId: string }) => {
        while (box.length > 0) {
          const batch = box.slice(0, 100);
          const r = await call(base, '/api/sync/push', { method: 'POST', token, body: { protocol: PROTOCOL_VERSION, deviceId, mutations: batch } });
          if (r?.status !== 200) {
            await sleep(20);
            continue;
          }
          for (const res of r.json.results as MutationResult[]) {
            const prev = results.get(res.id);
            if (prev) expect(res).toEqual(prev); // a replay answers exactly as the first time
            results.set(res.id, res);
          }
          box.splice(0, batch.length);
        }
      };
      /** One photo, chunk by chunk; after any failure, asks the server how much it holds and resumes there. */
      const upload = async (token: string, p: Photo) => {
        let offset: number | null = null;
        for (;;) {
          if (offset === null) {
            const s = await callBytes(base, `/api/sync/uploads/${p.sha}`, { token });
            if (s?.status === 404) offset = 0;
            else if (s?.status === 200) {
              if (s.json.complete) return;
              offset = s.json.received as number;
            } else {
              await sleep(20);
              continue;
            }
          }
          const at: number = offset;
          uploadStats.chunks++;
          const r = await callBytes(base, `/api/sync/uploads/${p.sha}`, {
            method: 'PUT',
            token,
            headers: { 'x-cunyi-size': String(p.bytes.length), 'x-cunyi-mime': 'image/png', 'x-cunyi-offset': String(at) },
            body: p.bytes.subarray(at, at + CHUNK),
          });
          if (r?.status === 200) {
            if (r.json.complete) return;
            offset = r.json.received as number;
          } else if (r?.status === 409 && r.json?.error?.code === 'offset-mismatch') {
            uploadStats.resumes++;
            offset = r.json.error.received as number;
          } else if (r === null || r.status >= 500) {
            uploadStats.resumes++;
            offset = null;
            await sleep(20);
          } else throw new Error(`photo refused: ${r.status} ${JSON.stringify(r.json)}`);
        }
      };
      /** A filing device: its visits, and alongside them its photos and then the filings naming them. */
      const device = async (d: number) => {
        const session = await signIn(`device${d}`);
        const fileAll = async () => {
          if (d >= PHOTO_DEVICES) return;
          for (const p of photos[d]!) await upload(session.token, p);
          await drain(filings[d]!, session);
        };
        await Promise.all([drain(outboxes[d]!, session), fileAll()]);
      };
      await Promise.all(outboxes.map((_, d) => device(d)));
      running = false;
      await killer;
      await watcher;

      // Every outbox drained, every mutation applied, nothing refused.
      const filingCount = PHOTO_DEVICES * FILINGS;
      expect(outboxes.every((b) => b.length === 0)).toBe(true);
      expect(filings.every((b) => b.length === 0)).toBe(true);
      expect(results.size).toBe(TOTAL + filingCount);
      expect([...results.values()].filter((r) => r.status !== 'applied')).toEqual([]);
      // The server holds each effect exactly once.
      const check = await openDb(backend === 'sqlite' ? { dataDir: env.DATA_DIR } : { databaseUrl: env.DATABASE_URL });
      const visits = await check.db.selectFrom('records').select('id').where('entity', '=', 'visit').execute();
      const applied = await check.db.selectFrom('applied_mutations').select('mutation_id').execute();
      const filingRows = await check.db.selectFrom('records').select(['id', 'data']).where('entity', '=', 'filing').execute();
      const audit = await check.db.selectFrom('filing_audit').select('filing_id').execute();
      const uploads = await check.db.selectFrom('uploads').selectAll().execute();
      await check.close();
      expect(visits.length).toBe(TOTAL);
      expect(new Set(visits.map((v) => v.id))).toEqual(created);
      expect(applied.length).toBe(TOTAL + filingCount);
      expect(seen).toEqual(created);
      // Each filing once, submitted once, and every photo it names complete and byte-identical.
      expect(filingRows.length).toBe(filingCount);
      expect(new Set(filingRows.map((f) => f.id))).toEqual(filed);
      expect(audit.length).toBe(filingCount);
      const sent = new Map(photos.flat().map((p) => [p.sha, p.bytes]));
      expect(uploads.length).toBe(sent.size);
      for (const u of uploads) {
        const data = Buffer.from(u.data);
        expect({ sha: u.sha256, complete: u.complete, received: u.received, hash: sha256(data) }).toEqual({ sha: u.sha256, complete: 1, received: data.length, hash: u.sha256 });
        expect(data.equals(sent.get(u.sha256)!)).toBe(true);
      }
      for (const f of filingRows) {
        const record = JSON.parse(f.data) as FilingRecord;
        expect(record).toMatchObject({ status: 'submitted', version: 1 });
        for (const doc of record.content.documents) expect(uploads.some((u) => u.sha256 === doc.sha256 && u.complete === 1)).toBe(true);
      }
      // The faults really happened.
      expect(upstream.restarts).toBeGreaterThan(0);
      expect(stats.droppedRequests).toBeGreaterThan(0);
      expect(stats.droppedResponses).toBeGreaterThan(0);
      expect(stats.duplicated).toBeGreaterThan(0);
      expect(uploadStats.resumes).toBeGreaterThan(0);
      console.log(`fault injection on ${backend}: ${TOTAL} mutations and ${filingCount} filings with ${sent.size} photos (${uploadStats.chunks} chunk requests, ${uploadStats.resumes} resumed), ${stats.requests} requests, ${stats.droppedRequests} requests dropped, ${stats.droppedResponses} responses dropped, ${stats.duplicated} duplicated, ${upstream.restarts} server kills`);
    }, 600_000);
  });
}
