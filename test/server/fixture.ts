/**
 * A county server in process for the hardening tests: a small county, users by role, sign-in,
 * photo upload as the tablet does it, and a complete chronic-disease certification filing.
 */
import type { FastifyInstance, LightMyRequestResponse as LightResponse } from 'fastify';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { generateCounty } from '../../src/model/demo/index.ts';
import { CONSENT_KIND, type FilingContent } from '../../src/model/filing.ts';
import type { Member } from '../../src/model/roster.ts';
import { PROTOCOL_VERSION, type Mutation } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { buildApp, type AppOptions } from '../../src/server/app.ts';
import { createUser } from '../../src/server/auth.ts';
import { importCounty } from '../../src/server/sync/index.ts';
import { freshDb, MANY_LOGINS, type Backend } from './backends.ts';
import { png, sha256 } from './photos.ts';

export const PASSWORD = 'a-good-password';
export const H = { 'x-cunyi-protocol': String(PROTOCOL_VERSION) };
export const CHUNK = 256 * 1024;

export const county = generateCounty({ seed: 9, members: 300 });
const villages = [...county.villages].sort((a, b) => a.code.localeCompare(b.code));
/** A village, and one of another township. */
export const mine = villages[0]!;
export const theirs = villages.find((v) => v.code.slice(0, 9) !== mine.code.slice(0, 9))!;
export const membersOf = (villageId: string) => county.members.filter((m) => m.villageId === villageId);

/** A built app folder: the shell, a worker, an asset, the manifest. */
export function dist(): string {
  const d = mkdtempSync(join(tmpdir(), 'cunyi-dist-'));
  mkdirSync(join(d, 'assets'));
  writeFileSync(join(d, 'index.html'), '<!doctype html><title>t</title><script type="module" src="/assets/index.js"></script>');
  writeFileSync(join(d, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  writeFileSync(join(d, 'assets', 'index.js'), 'console.log(1);');
  writeFileSync(join(d, 'manifest.webmanifest'), '{}');
  return d;
}

export interface Photo {
  bytes: Buffer;
  mime: string;
  sha: string;
}
let seed = 500;
export function photo(side = 8): Photo {
  const bytes = png(side, side, seed++);
  return { bytes, mime: 'image/png', sha: sha256(bytes) };
}

export type Auth = Record<string, string>;

export interface Fixture {
  sdb: Awaited<ReturnType<typeof freshDb>>;
  app: FastifyInstance;
  /** Signs in on a device (a new one unless given); returns the request headers. */
  signIn(username: string, deviceId?: string, app?: FastifyInstance): Promise<Auth>;
  put(auth: Auth, p: Photo, offset: number, end?: number, app?: FastifyInstance): Promise<LightResponse>;
  upload(auth: Auth, p: Photo): Promise<Photo>;
  push(auth: Auth, mutations: Partial<Mutation>[]): Promise<{ status: string; code?: string; message?: string }[]>;
  /** A complete certification filing for a member, naming these photos (not uploaded here). */
  filing(member: Member, photos: [Photo, Photo, Photo]): Mutation;
  close(): Promise<void>;
}

/** Users: doctor and cadre of `mine`, doctor2 of `theirs`, township and county reviewers, admin. */
export async function fixture(backend: Backend, opts: Partial<AppOptions> = {}): Promise<Fixture> {
  const sdb = await freshDb(backend);
  await importCounty(sdb.db, county);
  const users: [string, Parameters<typeof createUser>[1]['role'], string[]][] = [
    ['doctor', 'village-doctor', [mine.code]],
    ['cadre', 'village-cadre', [mine.code]],
    ['doctor2', 'village-doctor', [theirs.code]],
    ['township', 'township-reviewer', [mine.code.slice(0, 9)]],
    ['township2', 'township-reviewer', [theirs.code.slice(0, 9)]],
    ['county', 'county-reviewer', [county.county.code]],
    ['admin', 'admin', []],
  ];
  for (const [username, role, areas] of users) await createUser(sdb.db, { username, displayName: `${username}-名`, role, password: PASSWORD, areas });
  const app = await buildApp({ db: sdb, distDir: dist(), version: 'test', loginLimits: MANY_LOGINS, ...opts });
  const f: Fixture = {
    sdb,
    app,
    async signIn(username, deviceId = ulid(), a = app) {
      const r = await a.inject({ method: 'POST', url: '/api/login', headers: H, payload: { username, password: PASSWORD, deviceId, deviceName: 'tablet' } });
      expect(r.statusCode, r.body).toBe(200);
      return { ...H, authorization: `Bearer ${r.json().token}` };
    },
    put(auth, p, offset, end = Math.min(p.bytes.length, offset + CHUNK), a = app) {
      return a.inject({
        method: 'PUT',
        url: `/api/sync/uploads/${p.sha}`,
        headers: { ...auth, 'content-type': 'application/octet-stream', 'x-cunyi-size': String(p.bytes.length), 'x-cunyi-mime': p.mime, 'x-cunyi-offset': String(offset) },
        payload: p.bytes.subarray(offset, end),
      });
    },
    async upload(auth, p) {
      for (let offset = 0; offset < p.bytes.length; offset += CHUNK) {
        const r = await f.put(auth, p, offset);
        expect(r.statusCode, r.body).toBe(200);
      }
      return p;
    },
    async push(auth, mutations) {
      const r = await app.inject({ method: 'POST', url: '/api/sync/push', headers: auth, payload: { protocol: PROTOCOL_VERSION, mutations } });
      expect(r.statusCode, r.body).toBe(200);
      return r.json().results;
    },
    filing(member, [idCard, record, consent]) {
      const doc = (kind: string, p: Photo) => ({ id: ulid(), kind, sha256: p.sha, size: p.bytes.length, mime: p.mime });
      const content: FilingContent = {
        fields: { disease: 'I10', diagnosisDate: '2026-02-01' },
        documents: [doc('id-card', idCard), doc('medical-record', record), doc(CONSENT_KIND, consent)],
        consent: { method: 'photo', signer: member.name, at: '2026-02-02T03:00:00.000Z', sha256: consent.sha },
        villageConfirmation: null,
        estimate: null,
      };
      const id = ulid();
      const now = new Date().toISOString();
      return {
        id: ulid(),
        entity: 'filing',
        entityId: id,
        op: 'create',
        baseRev: null,
        data: { id, memberId: member.id, householdId: member.householdId, villageId: member.villageId, packId: county.county.packId, type: 'chronic-certification', version: 1, content, createdAt: now },
        createdAt: now,
      };
    },
    async close() {
      await app.close();
      await sdb.drop();
    },
  };
  return f;
}
