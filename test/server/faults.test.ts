/**
 * Fault injection: scripted devices push 10,000 mutations through a proxy that drops requests,
 * drops responses after the server acted, duplicates and delays requests (so they reorder), while
 * the server is killed with SIGKILL and restarted mid-batch. Afterwards the server holds each
 * mutation's effect exactly once, every outbox has drained, and a device that pulled by checkpoint
 * all along has every record: no change was skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCounty } from '../../src/model/demo/index.ts';
import { Rng } from '../../src/model/demo/random.ts';
import { PROTOCOL_VERSION, type Mutation, type MutationResult } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { createUser } from '../../src/server/auth.ts';
import { openDb } from '../../src/server/db.ts';
import { importCounty } from '../../src/server/sync.ts';
import { ROOT } from '../helpers.ts';
import { BACKENDS, freshDb } from './backends.ts';

const TOTAL = Number(process.env.FAULT_MUTATIONS ?? 10_000);
const DEVICES = 4;
const PASSWORD = 'fault-password';

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
        res.writeHead(r.status, { 'content-type': r.headers['content-type'] ?? 'application/json' });
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
          list.push({ id: ulid(), entity: 'visit', entityId: id, op: 'create', baseRev: null, data: { id, memberId: m.id, householdId: m.householdId, date: '2026-11-01', note: `visit ${d}-${i}`, createdAt: new Date().toISOString() }, createdAt: new Date().toISOString() });
        }
        outboxes.push(list);
      }

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
          const r = await call(base, `/api/sync/pull?since=${since}&limit=500`, { token });
          if (r?.status === 200) {
            for (const rec of r.json.records) if (rec.entity === 'visit') seen.add(rec.id);
            since = r.json.checkpoint;
            if (!running && r.json.remaining === 0) return;
          } else await sleep(50);
        }
      })();

      const results = new Map<string, MutationResult>();
      const drain = async (d: number) => {
        const { token, deviceId } = await signIn(`device${d}`);
        const box = outboxes[d]!;
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
      await Promise.all(outboxes.map((_, d) => drain(d)));
      running = false;
      await killer;
      await watcher;

      // Every outbox drained, every mutation applied, nothing refused.
      expect(outboxes.every((b) => b.length === 0)).toBe(true);
      expect(results.size).toBe(TOTAL);
      expect([...results.values()].filter((r) => r.status !== 'applied')).toEqual([]);
      // The server holds each effect exactly once.
      const check = await openDb(backend === 'sqlite' ? { dataDir: env.DATA_DIR } : { databaseUrl: env.DATABASE_URL });
      const visits = await check.db.selectFrom('records').select('id').where('entity', '=', 'visit').execute();
      const applied = await check.db.selectFrom('applied_mutations').select('mutation_id').execute();
      await check.close();
      expect(visits.length).toBe(TOTAL);
      expect(new Set(visits.map((v) => v.id))).toEqual(created);
      expect(applied.length).toBe(TOTAL);
      expect(seen).toEqual(created);
      // The faults really happened.
      expect(upstream.restarts).toBeGreaterThan(0);
      expect(stats.droppedRequests).toBeGreaterThan(0);
      expect(stats.droppedResponses).toBeGreaterThan(0);
      expect(stats.duplicated).toBeGreaterThan(0);
      console.log(`fault injection on ${backend}: ${TOTAL} mutations, ${stats.requests} requests, ${stats.droppedRequests} requests dropped, ${stats.droppedResponses} responses dropped, ${stats.duplicated} duplicated, ${upstream.restarts} server kills`);
    }, 600_000);
  });
}
