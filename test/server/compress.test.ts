/**
 * Pull answers are compressed when the client accepts it (Brotli, else gzip), on SQLite and
 * PostgreSQL, and decompress to exactly the answer sent without compression.
 */
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCounty } from '../../src/model/demo/index.ts';
import { PROTOCOL_VERSION } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { buildApp } from '../../src/server/app.ts';
import { createUser } from '../../src/server/auth.ts';
import { importCounty } from '../../src/server/sync/index.ts';
import { BACKENDS, freshDb, MANY_LOGINS } from './backends.ts';

const county = generateCounty({ seed: 41, members: 400 });
const H = { 'x-cunyi-protocol': String(PROTOCOL_VERSION) };

for (const backend of BACKENDS) {
  describe(`compressed answers on ${backend}`, () => {
    let app: FastifyInstance;
    let sdb: Awaited<ReturnType<typeof freshDb>>;
    let auth: Record<string, string>;
    beforeAll(async () => {
      sdb = await freshDb(backend);
      await importCounty(sdb.db, county);
      await createUser(sdb.db, { username: 'county', displayName: '县审核', role: 'county-reviewer', password: 'a-good-password', areas: [county.county.code] });
      const d = mkdtempSync(join(tmpdir(), 'cunyi-dist-'));
      writeFileSync(join(d, 'index.html'), '<!doctype html><title>t</title>');
      app = await buildApp({ db: sdb, distDir: d, version: 'test', loginLimits: MANY_LOGINS });
      const r = await app.inject({ method: 'POST', url: '/api/login', headers: H, payload: { username: 'county', password: 'a-good-password', deviceId: ulid() } });
      auth = { ...H, authorization: `Bearer ${r.json().token}` };
    });
    afterAll(async () => {
      await app.close();
      await sdb.drop();
    });

    it('sends a pull page compressed, and it reads back the same', async () => {
      const url = '/api/sync/pull?since=0&limit=2000';
      const plain = await app.inject({ method: 'GET', url, headers: { ...auth, 'accept-encoding': 'identity' } });
      expect(plain.headers['content-encoding']).toBeUndefined();
      const br = await app.inject({ method: 'GET', url, headers: { ...auth, 'accept-encoding': 'br, gzip' } });
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers['cache-control']).toBe('no-store');
      const gz = await app.inject({ method: 'GET', url, headers: { ...auth, 'accept-encoding': 'gzip' } });
      expect(gz.headers['content-encoding']).toBe('gzip');
      const same = (s: string) => JSON.parse(s).records.map((x: { id: string; rev: number }) => `${x.id}:${x.rev}`);
      expect(same(brotliDecompressSync(br.rawPayload).toString())).toEqual(same(plain.body));
      expect(same(gunzipSync(gz.rawPayload).toString())).toEqual(same(plain.body));
      // JSON of records shrinks to well under a third.
      expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
    });
  });
}
