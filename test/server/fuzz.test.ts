/**
 * Every endpoint of the county server under malformed requests, on SQLite and PostgreSQL: random
 * JSON of every shape, wrong types in every field, NUL bytes, very long strings, deep nesting,
 * repeated and odd query parameters, bad headers and bodies of the wrong type. None may answer
 * with a 5xx (but 501 server-too-old, the protocol's word to an app newer than the server), and
 * afterwards the server still serves a well-formed push and pull.
 */
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCounty } from '../../src/model/demo/index.ts';
import { PROTOCOL_VERSION, ENTITIES } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { buildApp } from '../../src/server/app.ts';
import { createUser } from '../../src/server/auth.ts';
import { importCounty } from '../../src/server/sync/index.ts';
import { BACKENDS, freshDb } from './backends.ts';

const county = generateCounty({ seed: 33, members: 200 });
const member = county.members[0]!;
const village = county.villages.find((v) => v.id === member.villageId)!;
const PASSWORD = 'a-good-password';
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 400);

function dist(): string {
  const d = mkdtempSync(join(tmpdir(), 'cunyi-dist-'));
  writeFileSync(join(d, 'index.html'), '<!doctype html><title>t</title>');
  return d;
}

/** Strings that break naive handling. */
const nasty = fc.oneof(
  fc.string(),
  fc.constantFrom('', '\u0000', 'a\u0000b', '%00', '💥', '\uD800', '../../etc/passwd', "'; drop table records; --", '__proto__', 'constructor', '1e400', '-0', 'NaN', ' ', '01ARZ3NDEKTSV4RRFFQ69G5FAV'),
  fc.string({ minLength: 3_000, maxLength: 9_000 }),
  fc.constant(ulid()),
  fc.constant('x'.repeat(70_000)),
);
const anyValue = fc.oneof({ weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) }, { weight: 2, arbitrary: nasty }, fc.constant(null), fc.integer(), fc.double(), fc.boolean(), fc.array(nasty, { maxLength: 3 }));

const memberKeys = Object.keys(member);
/** A mutation whose envelope or record is wrong in some field (or right, by chance). */
const mutationArb = fc.record(
  {
    id: fc.oneof(fc.constant(null), nasty, fc.constant('').map(() => ulid())),
    entity: fc.oneof(fc.constantFrom(...ENTITIES), nasty),
    entityId: fc.oneof(nasty, fc.constant(member.id), fc.constant('').map(() => ulid())),
    op: fc.oneof(fc.constantFrom('create', 'update', 'delete'), nasty),
    baseRev: fc.oneof(fc.constant(null), fc.integer(), anyValue),
    data: fc.oneof(
      anyValue,
      fc.dictionary(fc.constantFrom(...memberKeys, 'x', '__proto__'), anyValue, { maxKeys: 6 }),
      fc.record({ ...Object.fromEntries(memberKeys.map((k) => [k, fc.constant((member as unknown as Record<string, unknown>)[k])])) }).chain((m) =>
        fc.constantFrom(...memberKeys).chain((k) => anyValue.map((v) => ({ ...m, [k]: v }))),
      ),
    ),
    createdAt: fc.oneof(fc.constant(new Date().toISOString()), nasty),
  },
  { requiredKeys: [] },
);

/** Percent-encoded, or an invalid UTF-8 escape where the string cannot be encoded (a lone surrogate). */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
}

function deepJson(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

type Req = { method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'; url: string; headers?: Record<string, string>; payload?: unknown; auth: 'none' | 'doctor' | 'county' | 'bad' };

const qs = fc.array(fc.tuple(fc.constantFrom('since', 'limit', 'status', 'stage', 'type', 'village', 'minAge', 'maxAge', 'actionable', 'offset', 'x'), nasty), { maxLength: 4 }).map((pairs) => pairs.map(([k, v]) => `${k}=${enc(v)}`).join('&'));
const idSeg = fc.oneof(nasty, fc.constant('').map(() => ulid())).map(enc);
const sha = fc.oneof(fc.constant('a'.repeat(64)), nasty.map(enc));
const auth = fc.constantFrom<Req['auth']>('none', 'doctor', 'county', 'bad', 'doctor');

/** Strings with a NUL byte or of several KB, where a database refuses them if they get that far. */
const troubleString = fc.oneof(fc.string({ maxLength: 10 }).map((x) => `${x}\u0000${x}`), fc.string({ minLength: 4_000, maxLength: 8_000 }), fc.constant('').map(() => `${ulid()}\u0000`));
const deepValue = fc.integer({ min: 2_000, max: 12_000 }).map((depth) => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
});

const requestArb: fc.Arbitrary<Req> = fc.oneof(
  // Shapes that once reached a database or the stack unchecked.
  fc.record({ method: fc.constant('POST' as const), url: fc.constant('/api/login'), payload: fc.record({ username: fc.oneof(troubleString, fc.constant('doctor')), password: fc.oneof(troubleString, fc.constant(PASSWORD)), deviceId: fc.oneof(troubleString, fc.constant('').map(() => ulid())), deviceName: troubleString }, { requiredKeys: [] }), auth: fc.constant('none' as const) }),
  fc.record({ method: fc.constant('GET' as const), url: fc.array(fc.constantFrom('status=submitted', 'status=approved', 'stage=township', 'type=x', 'village=1', 'limit=5'), { minLength: 2, maxLength: 5 }).map((ps) => `/api/review/filings?status=submitted&${ps.join('&')}`), auth: fc.constant('county' as const) }),
  fc.record({
    method: fc.constant('POST' as const),
    url: fc.constant('/api/sync/push'),
    payload: fc.oneof(
      troubleString.map((id) => ({ protocol: 1, mutations: [{ id, entity: 'member', entityId: member.id, op: 'update', baseRev: 1, data: { phone: '13800000000' }, createdAt: new Date().toISOString() }] })),
      troubleString.map((entityId) => ({ protocol: 1, mutations: [{ id: ulid(), entity: 'visit', entityId, op: 'create', baseRev: null, data: { memberId: member.id }, createdAt: new Date().toISOString() }] })),
      deepValue.map((deep) => ({ protocol: 1, mutations: [{ id: ulid(), entity: 'member', entityId: member.id, op: 'update', baseRev: 1, data: { phone: deep }, createdAt: new Date().toISOString() }] })),
    ),
    auth: fc.constant('doctor' as const),
  }),

  fc.record({ method: fc.constant('POST' as const), url: fc.constant('/api/login'), payload: fc.oneof(anyValue, fc.record({ username: anyValue, password: anyValue, deviceId: anyValue, deviceName: anyValue }, { requiredKeys: [] })), auth: fc.constant('none' as const) }),
  fc.record({ method: fc.constant('POST' as const), url: fc.constant('/api/sync/push'), payload: fc.oneof(anyValue, fc.record({ protocol: anyValue, deviceId: anyValue, mutations: fc.oneof(anyValue, fc.array(mutationArb, { maxLength: 5 })) }, { requiredKeys: [] })), auth }),
  fc.record({ method: fc.constant('GET' as const), url: qs.map((q) => `/api/sync/pull?${q}`), auth }),
  fc.record({ method: fc.constant('GET' as const), url: qs.map((q) => `/api/review/filings?${q}`), auth }),
  fc.record({ method: fc.constant('GET' as const), url: idSeg.map((id) => `/api/review/filings/${id}`), auth }),
  fc.record({ method: fc.constant('POST' as const), url: idSeg.map((id) => `/api/review/filings/${id}/actions`), payload: fc.oneof(anyValue, fc.record({ action: anyValue, rev: anyValue, amount: anyValue, reason: anyValue, paidOn: anyValue, reference: anyValue }, { requiredKeys: [] })), auth }),
  fc.record({ method: fc.constant('GET' as const), url: fc.tuple(idSeg, sha).map(([id, s]) => `/api/filings/${id}/documents/${s}`), auth }),
  fc.record({ method: fc.constant('GET' as const), url: fc.tuple(fc.oneof(fc.constantFrom(...ENTITIES), nasty.map(enc)), idSeg).map(([e, id]) => `/api/records/${e}/${id}/history`), auth }),
  fc.record({ method: fc.constant('GET' as const), url: sha.map((s) => `/api/sync/uploads/${s}`), auth }),
  fc.record({
    method: fc.constant('PUT' as const),
    url: sha.map((s) => `/api/sync/uploads/${s}`),
    headers: fc.record({ 'content-type': fc.constantFrom('application/octet-stream', 'application/json', 'text/plain'), 'x-cunyi-size': nasty, 'x-cunyi-mime': nasty, 'x-cunyi-offset': nasty }, { requiredKeys: ['content-type'] }),
    payload: fc.oneof(fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)), nasty),
    auth,
  }),
  fc.record({ method: fc.constantFrom('GET' as const, 'DELETE' as const, 'PATCH' as const), url: fc.oneof(fc.constantFrom('/api/me', '/api/health', '/api/sync/push', '/api/nothing', '/villages', '/'), nasty.map((s) => `/api/${enc(s)}`)), auth }),
  fc.record({ method: fc.constant('POST' as const), url: fc.constantFrom('/api/sync/push', '/api/login', `/api/review/filings/${ulid()}/actions`), headers: fc.constant({ 'content-type': 'application/json' }), payload: fc.oneof(fc.integer({ min: 100, max: 20_000 }).map(deepJson), fc.constantFrom('{', '[1,', '{"a":1}}', 'nul', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}')), auth }),
  fc.record({ method: fc.constant('GET' as const), url: fc.constant('/api/sync/pull?since=0'), headers: fc.record({ 'x-cunyi-protocol': nasty.filter((s) => !/[\r\n\u0000-\u001f\u007f-\uffff]/.test(s)) }), auth }),
);

for (const backend of BACKENDS) {
  describe(`malformed requests to every endpoint on ${backend}`, () => {
    let app: FastifyInstance;
    let sdb: Awaited<ReturnType<typeof freshDb>>;
    const tokens: Record<string, string> = {};

    beforeAll(async () => {
      sdb = await freshDb(backend);
      await importCounty(sdb.db, county);
      await createUser(sdb.db, { username: 'doctor', displayName: 'd', role: 'village-doctor', password: PASSWORD, areas: [village.code] });
      await createUser(sdb.db, { username: 'county', displayName: 'c', role: 'county-reviewer', password: PASSWORD, areas: ['141130'] });
      app = await buildApp({ db: sdb, distDir: dist(), version: 'test' });
      for (const u of ['doctor', 'county']) {
        const r = await app.inject({ method: 'POST', url: '/api/login', headers: { 'x-cunyi-protocol': String(PROTOCOL_VERSION) }, payload: { username: u, password: PASSWORD, deviceId: ulid() } });
        tokens[u] = r.json().token;
      }
    });
    afterAll(async () => {
      await app?.close();
      await sdb?.drop();
    });

    it(`answers ${REQUESTS} malformed requests without a 5xx`, async () => {
      const requests = fc.sample(requestArb, { numRuns: REQUESTS, seed: backend === 'sqlite' ? 20261202 : 20261203 });
      const fives: string[] = [];
      for (const r of requests) {
        const headers: Record<string, string> = { 'x-cunyi-protocol': String(PROTOCOL_VERSION), ...(r.headers ?? {}) };
        if (r.auth === 'doctor' || r.auth === 'county') headers.authorization = `Bearer ${tokens[r.auth]}`;
        if (r.auth === 'bad') headers.authorization = 'Bearer \u00ff'.slice(0, 8);
        let url = r.url;
        if (url.length > 60_000) url = url.slice(0, 60_000);
        let payload: string | Buffer | undefined;
        try {
          payload = r.payload === undefined ? undefined : typeof r.payload === 'string' || Buffer.isBuffer(r.payload) ? r.payload : JSON.stringify(r.payload);
        } catch {
          payload = deepJson(10_000);
        }
        if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
        const res = await app.inject({ method: r.method, url, headers, ...(payload !== undefined && r.method !== 'GET' ? { payload } : {}) });
        // 501 server-too-old is the protocol's answer to a newer app, not a failure: the app says "update the server".
        const newerApp = res.statusCode === 501 && res.json().error?.code === 'server-too-old';
        if (res.statusCode >= 500 && !newerApp) fives.push(`${res.statusCode} ${r.method} ${url.slice(0, 120)} ${String(payload ?? '').slice(0, 200)} → ${res.body.slice(0, 200)}`);
      }
      expect(fives).toEqual([]);
      // Still serving well-formed requests.
      const auth = { 'x-cunyi-protocol': String(PROTOCOL_VERSION), authorization: `Bearer ${tokens.doctor}` };
      const ok = await app.inject({ method: 'POST', url: '/api/sync/push', headers: auth, payload: { protocol: PROTOCOL_VERSION, mutations: [{ id: ulid(), entity: 'member', entityId: member.id, op: 'update', baseRev: null, data: { phone: '13800009999' }, createdAt: new Date().toISOString() }] } });
      expect(ok.json().results[0], ok.body).toMatchObject({ status: 'applied' });
      expect((await app.inject({ method: 'GET', url: '/api/sync/pull?since=0', headers: auth })).statusCode).toBe(200);
    });
  });
}
