/**
 * Security headers and logging, on SQLite and PostgreSQL: every route the server registers is
 * requested and must answer with the strict content security policy, nosniff, no referrer and
 * no framing, and every API answer with Cache-Control: no-store (those that carry personal data
 * are requested so that they answer 200: pull, me, the device's recovery key, login, the review
 * list, detail and actions, a record's history, a filing's photo, a roster import's dry run, the import history,
 * the administration's accounts, devices, areas and audit,
 * the exports). /api/health names the backend and not where the data
 * lives. The request log holds no password, token, recovery key, ID number or name.
 */
import type { InjectOptions } from 'fastify';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from '../../src/model/ulid.ts';
import { buildApp, ROUTES } from '../../src/server/app.ts';
import { BACKENDS, MANY_LOGINS } from './backends.ts';
import { visitOf } from './careplan-records.ts';
import { county as demo, dist, fixture, H, membersOf, mine, PASSWORD, photo, type Auth, type Fixture, type Photo } from './fixture.ts';

/** The policy the app is served with: nothing inline, nothing from elsewhere, never framed. */
const CSP: Record<string, string> = {
  'default-src': "'self'",
  'script-src': "'self'",
  'worker-src': "'self' blob:",
  'style-src': "'self'",
  'img-src': "'self' blob: data:",
  'connect-src': "'self'",
  'frame-ancestors': "'none'",
  'object-src': "'none'",
  'base-uri': "'self'",
};

/** Every API route, so that a new one cannot go unchecked (the test fails until it is listed here). */
const API_ROUTES = [
  'GET /api/health',
  'POST /api/login',
  'GET /api/me',
  'GET /api/device-key',
  'POST /api/sync/push',
  'GET /api/sync/pull',
  'GET /api/sync/uploads/:sha256',
  'PUT /api/sync/uploads/:sha256',
  'GET /api/review/filings',
  'GET /api/review/filings/:id',
  'POST /api/review/filings/:id/actions',
  'GET /api/records/:entity/:id/history',
  'GET /api/filings/:id/documents/:sha256',
  'POST /api/admin/import',
  'GET /api/admin/imports',
  'GET /api/admin/users',
  'POST /api/admin/users',
  'POST /api/admin/users/:username/disable',
  'POST /api/admin/users/:username/enable',
  'POST /api/admin/users/:username/password',
  'PUT /api/admin/users/:username/areas',
  'PUT /api/admin/users/:username/phone',
  'PUT /api/admin/users/:username/role',
  'GET /api/admin/devices',
  'POST /api/admin/devices/:id/revoke',
  'GET /api/admin/areas',
  'GET /api/admin/audit',
  'GET /api/export/roster.xlsx',
  'GET /api/export/template.xlsx',
  'GET /api/export/enrolments.xlsx',
  'GET /api/export/ledger.xlsx',
  'GET /api/export/filings.xlsx',
  'GET /api/dashboard',
  'GET /api/dashboard/list',
  'GET /api/visits/:id/photos/:sha256',
];

function checkHeaders(what: string, r: { headers: Record<string, unknown> }, api: boolean): void {
  const h = r.headers;
  expect(h['x-content-type-options'], what).toBe('nosniff');
  expect(h['referrer-policy'], what).toBe('no-referrer');
  expect(h['x-frame-options'], what).toBe('DENY');
  const csp = Object.fromEntries(
    String(h['content-security-policy'] ?? '')
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(/\s+/)[0], d.split(/\s+/).slice(1).join(' ')]),
  );
  for (const [k, v] of Object.entries(CSP)) expect(csp[k], `${what}: ${k}`).toBe(v);
  expect(String(h['content-security-policy']), what).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  if (api) expect(h['cache-control'], what).toBe('no-store');
}

for (const backend of BACKENDS) {
  describe(`security headers on ${backend}`, () => {
    let f: Fixture;
    let doctor: Auth;
    let county: Auth;
    let admin: Auth;
    let filingId: string;
    let visitId: string;
    let photos: [Photo, Photo, Photo];
    const member = membersOf(mine.id)[0]!;

    beforeAll(async () => {
      f = await fixture(backend);
      doctor = await f.signIn('doctor');
      county = await f.signIn('county');
      admin = await f.signIn('admin');
      photos = [photo(), photo(), photo()];
      for (const p of photos) await f.upload(doctor, p);
      const m = f.filing(member, photos);
      expect((await f.push(doctor, [m]))[0]).toMatchObject({ status: 'applied' });
      filingId = m.entityId;
      // A household visit with a photo the same device sent.
      const v = visitOf(member, ulid(), { photos: [{ sha256: photos[2].sha, size: photos[2].bytes.length, mime: photos[2].mime as 'image/png' }] });
      const pushed = await f.push(doctor, [{ id: ulid(), entity: 'visit', entityId: v.id, op: 'create', baseRev: null, data: v as unknown as Record<string, unknown>, createdAt: new Date().toISOString() }]);
      expect(pushed[0], JSON.stringify(pushed)).toMatchObject({ status: 'applied' });
      visitId = v.id;
    });
    afterAll(async () => f?.close());

    /** A request for a route that a user would make, answered 200 where it carries personal data. */
    const requestFor = async (m: string, url: string): Promise<{ req: InjectOptions; ok?: boolean }> => {
      const sha = photos[0].sha;
      const method = m as NonNullable<InjectOptions['method']>;
      switch (`${method} ${url}`) {
        case 'GET /api/health':
          return { req: { method, url }, ok: true };
        case 'POST /api/login':
          return { req: { method, url, headers: H, payload: { username: 'doctor', password: PASSWORD, deviceId: ulid() } }, ok: true };
        case 'GET /api/me':
          return { req: { method, url, headers: doctor }, ok: true };
        case 'GET /api/device-key':
          return { req: { method, url, headers: doctor }, ok: true };
        case 'POST /api/sync/push':
          return { req: { method, url, headers: doctor, payload: { mutations: [] } }, ok: true };
        case 'GET /api/sync/pull':
          return { req: { method, url: '/api/sync/pull?since=0&limit=10', headers: doctor }, ok: true };
        case 'GET /api/sync/uploads/:sha256':
          return { req: { method, url: `/api/sync/uploads/${sha}`, headers: doctor }, ok: true };
        case 'PUT /api/sync/uploads/:sha256': {
          const p = photo();
          return {
            req: { method, url: `/api/sync/uploads/${p.sha}`, headers: { ...doctor, 'content-type': 'application/octet-stream', 'x-cunyi-size': String(p.bytes.length), 'x-cunyi-mime': p.mime, 'x-cunyi-offset': '0' }, payload: p.bytes },
            ok: true,
          };
        }
        case 'GET /api/review/filings':
          return { req: { method, url, headers: county }, ok: true };
        case 'GET /api/review/filings/:id':
          return { req: { method, url: `/api/review/filings/${filingId}`, headers: county }, ok: true };
        case 'POST /api/review/filings/:id/actions': {
          const rev = (await f.app.inject({ method: 'GET', url: `/api/review/filings/${filingId}`, headers: county })).json().rev;
          return { req: { method, url: `/api/review/filings/${filingId}/actions`, headers: county, payload: { action: 'receive', rev } }, ok: true };
        }
        case 'GET /api/records/:entity/:id/history':
          return { req: { method, url: `/api/records/member/${member.id}/history`, headers: doctor }, ok: true };
        case 'GET /api/filings/:id/documents/:sha256':
          return { req: { method, url: `/api/filings/${filingId}/documents/${sha}`, headers: county }, ok: true };
        case 'POST /api/admin/import': {
          const h = demo.households.find((x) => x.id === member.householdId)!;
          const csv = `行政村代码,户编号,姓名,证件号码,与户主关系\n${mine.code},${h.number},${member.name},${member.idNumber},户主\n`;
          return { req: { method, url: '/api/admin/import?dryRun=1', headers: { ...admin, 'content-type': 'text/csv', 'x-cunyi-filename': 'roster.csv' }, payload: csv }, ok: true };
        }
        case 'GET /api/admin/imports':
          return { req: { method, url, headers: admin }, ok: true };
        // Administration (src/server/admin.ts): the cadre's account is changed, doctor2's tablet revoked.
        case 'GET /api/admin/users':
        case 'GET /api/admin/devices':
        case 'GET /api/admin/areas':
        case 'GET /api/admin/audit':
          return { req: { method, url, headers: admin }, ok: true };
        case 'POST /api/admin/users':
          return { req: { method, url, headers: admin, payload: { username: 'hdr-user', displayName: '某某', role: 'village-doctor', password: 'another-good-password', areas: [mine.code] } }, ok: true };
        case 'POST /api/admin/users/:username/disable':
        case 'POST /api/admin/users/:username/enable':
          return { req: { method, url: url.replace(':username', 'cadre'), headers: admin }, ok: true };
        case 'POST /api/admin/users/:username/password':
          return { req: { method, url: url.replace(':username', 'cadre'), headers: admin, payload: { password: 'another-good-password' } }, ok: true };
        case 'PUT /api/admin/users/:username/areas':
          return { req: { method, url: url.replace(':username', 'cadre'), headers: admin, payload: { areas: [mine.code] } }, ok: true };
        case 'PUT /api/admin/users/:username/phone':
          return { req: { method, url: url.replace(':username', 'cadre'), headers: admin, payload: { phone: '13800000009' } }, ok: true };
        case 'PUT /api/admin/users/:username/role':
          return { req: { method, url: url.replace(':username', 'cadre'), headers: admin, payload: { role: 'village-cadre' } }, ok: true };
        case 'POST /api/admin/devices/:id/revoke': {
          const device = ulid();
          await f.signIn('doctor2', device);
          return { req: { method, url: `/api/admin/devices/${device}/revoke`, headers: admin }, ok: true };
        }
        case 'GET /api/export/roster.xlsx':
          return { req: { method, url, headers: county }, ok: true };
        case 'GET /api/export/template.xlsx':
          return { req: { method, url, headers: county }, ok: true };
        case 'GET /api/export/enrolments.xlsx':
        case 'GET /api/export/filings.xlsx':
          return { req: { method, url, headers: county }, ok: true };
        case 'GET /api/export/ledger.xlsx':
          return { req: { method, url: `${url}?year=2026`, headers: county }, ok: true };
        case 'GET /api/dashboard':
          return { req: { method, url, headers: county }, ok: true };
        case 'GET /api/visits/:id/photos/:sha256':
          return { req: { method, url: `/api/visits/${visitId}/photos/${photos[2].sha}`, headers: county }, ok: true };
        case 'GET /api/dashboard/list':
          return { req: { method, url: `/api/dashboard/list?village=${mine.id}&figure=members`, headers: county }, ok: true };
      }
      if (url === '/api/*') return { req: { method, url: '/api/no-such-route', headers: doctor, ...(method === 'GET' || method === 'HEAD' ? {} : { payload: {} }) } };
      if (!url.startsWith('/api/') && !url.includes(':') && !url.includes('*')) return { req: { method, url }, ok: true };
      throw new Error(`no request written for the route ${method} ${url}: add it to this test`);
    };

    it('lists every API route here', () => {
      const routes = ROUTES.get(f.app)!;
      const api = [...new Set(routes.filter((r) => r.url.startsWith('/api/') && r.url !== '/api/*' && r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`))];
      expect(api.sort()).toEqual([...API_ROUTES].sort());
    });

    it('answers every route with the strict CSP, nosniff, no referrer, no framing, and API answers with no-store', async () => {
      const routes = ROUTES.get(f.app)!;
      const seen: string[] = [];
      for (const { method, url } of routes) {
        if (method === 'HEAD' || (url === '/api/*' && !['GET', 'POST', 'PUT', 'DELETE'].includes(method))) continue;
        const { req, ok } = await requestFor(method, url);
        const r = await f.app.inject(req);
        if (ok) expect(r.statusCode, `${method} ${url}: ${r.body.slice(0, 200)}`).toBe(200);
        checkHeaders(`${method} ${url}`, r, url.startsWith('/api/'));
        seen.push(`${method} ${url}`);
      }
      expect(seen).toEqual(expect.arrayContaining([...API_ROUTES, 'GET /index.html', 'GET /sw.js']));
      // The shell by a deep link, an error, and no token at all: the same headers.
      checkHeaders('deep link', await f.app.inject({ method: 'GET', url: '/households/abc', headers: { accept: 'text/html' } }), false);
      checkHeaders('401', await f.app.inject({ method: 'GET', url: '/api/me' }), true);
      checkHeaders('400', await f.app.inject({ method: 'GET', url: '/api/sync/pull?since=x', headers: doctor }), true);
    });

    it('serves a filing’s photo with no-store, never to be cached', async () => {
      const r = await f.app.inject({ method: 'GET', url: `/api/filings/${filingId}/documents/${photos[1].sha}`, headers: county });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('image/png');
      expect(r.headers['cache-control']).toBe('no-store');
    });

    it('says which backend it runs on, and not where the data is', async () => {
      const r = await f.app.inject({ method: 'GET', url: '/api/health' });
      const b = r.json();
      expect(b).toMatchObject({ status: 'ok', version: 'test', storage: { backend } });
      expect(b.storage).toEqual({ backend });
      for (const where of ['cunyi.sqlite', 'postgres://', 'location', tmpdir()]) expect(r.body).not.toContain(where);
    });

    it('logs each request without passwords, tokens, recovery keys, ID numbers or names', async () => {
      let text = '';
      const stream = new Writable({
        write(chunk, _enc, done) {
          text += String(chunk);
          done();
        },
      });
      let token = '';
      let deviceKey = '';
      const logged = await buildApp({ db: f.sdb, distDir: dist(), version: 'test', loginLimits: MANY_LOGINS, logger: { stream } });
      try {
        const login = await logged.inject({ method: 'POST', url: '/api/login', headers: H, payload: { username: 'doctor', password: PASSWORD, deviceId: ulid() } });
        token = login.json().token as string;
        const auth = { ...H, authorization: `Bearer ${token}`, cookie: 'session=secret-cookie-value' };
        const m = member;
        await logged.inject({ method: 'POST', url: '/api/sync/push', headers: auth, payload: { mutations: [{ id: ulid(), entity: 'member', entityId: m.id, op: 'update', baseRev: null, data: { phone: '13912345678', name: '改个名字' }, createdAt: new Date().toISOString() }] } });
        deviceKey = (await logged.inject({ method: 'GET', url: '/api/device-key', headers: auth })).json().key as string;
        expect(deviceKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
        await logged.inject({ method: 'GET', url: `/api/records/member/${m.idNumber}/history?q=${m.idNumber}&name=${encodeURIComponent(m.name)}`, headers: auth });
        await logged.inject({ method: 'GET', url: `/api/search/${m.idNumber}/13912345678`, headers: auth });
        await logged.inject({ method: 'POST', url: '/api/login', headers: H, payload: { username: 'doctor', password: 'the-wrong-password', deviceId: ulid() } });
        await logged.inject({ method: 'POST', url: '/api/sync/push', headers: { ...auth, 'content-type': 'application/json' }, payload: `{"mutations": [${JSON.stringify(m.idNumber)}` });
      } finally {
        await logged.close();
      }
      const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; req?: { url: string } });
      expect(lines.filter((l) => l.msg === 'incoming request').length).toBeGreaterThanOrEqual(6);
      expect(lines.filter((l) => l.msg === 'request completed').length).toBeGreaterThanOrEqual(6);
      expect(lines.some((l) => l.req?.url.startsWith('/api/records/member/[redacted]/history'))).toBe(true);
      for (const secret of [PASSWORD, 'the-wrong-password', 'secret-cookie-value', member.idNumber, member.name, '改个名字', '13912345678', 'Bearer', token, deviceKey]) {
        expect(text, secret).not.toContain(secret);
      }
    });
  });
}
