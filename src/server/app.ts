/**
 * The county server's HTTP application: the built PWA (every app route answers with the shell,
 * so deep links work on first load too) and the API under /api.
 */
import fastifyCompress from '@fastify/compress';
import { dashboardReport, figureList } from './dashboard.ts';
import { constants as zlibConstants } from 'node:zlib';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ENTITIES, MIN_CLIENT_PROTOCOL, MIN_PUSH_PROTOCOL, PROTOCOL_VERSION, type Entity } from '../model/sync.ts';
import { isUlid } from '../model/ulid.ts';
import { authenticate, AuthError, DEFAULT_LOCKOUT, deviceKey, login, USERNAME, type LockoutPolicy, type Principal } from './auth.ts';
import { isStorageFull, type ServerDb } from './db.ts';
import { actOnFiling, DEFAULT_UPLOAD_LIMITS, filingDocument, visitPhoto, filingDetail, HttpError, listFilings, putChunk, uploadStatus, type ListQuery, type UploadLimits } from './filings.ts';
import { jsonDepthWithin, MAX_JSON_DEPTH } from './json.ts';
import { XLSX_MIME } from './import/export.ts';
import { adminRoutes } from './admin.ts';
import { attachment, enrolmentsRequest, filingsRequest, IMPORT_LIMIT, importRequest, importsRequest, ledgerRequest, rosterRequest, templateXlsx } from './import/http.ts';
import { loggerOptions } from './logging.ts';
import { startMaintenance } from './maintenance.ts';
import { historyFor, pull, push, StorageFullError } from './sync/index.ts';

/** Sign-in throttling: requests a client address and a username may make, and the lockout. */
export interface LoginLimits {
  /** Sign-in requests from one client address (an IPv6 /64 counts as one) per window. */
  perAddress: { max: number; windowMs: number };
  /** Sign-in requests naming one username, from anywhere, per window. */
  perUsername: { max: number; windowMs: number };
  /** Wrong passwords in a row that lock a username, and for how long (kept in the database). */
  lockout: LockoutPolicy;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAddress: { max: 30, windowMs: 60_000 },
  perUsername: { max: 10, windowMs: 60_000 },
  lockout: DEFAULT_LOCKOUT,
};

/** The content security policy of the app: nothing inline, nothing from elsewhere, never framed. */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  // blob: for the workers fflate starts from blob URLs to compress an export of more than 160 KB
  // off the main thread (write-excel-file in the browser); without it the worker is blocked and the
  // export never finishes. Only a script already running on this origin can make a blob URL.
  workerSrc: ["'self'", 'blob:'],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'blob:', 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  manifestSrc: ["'self'"],
  mediaSrc: ["'self'", 'blob:'],
  frameSrc: ["'none'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
};

export interface AppOptions {
  db: ServerDb;
  /** The built app (vite build output). */
  distDir: string;
  version: string;
  /** Fastify's logger (pino, with redaction: src/server/logging.ts): on, off, or to a stream (tests). */
  logger?: boolean | { stream: NodeJS.WritableStream };
  /** Protocol limits (tests set them to try an outdated client). */
  minClientProtocol?: number;
  minPushProtocol?: number;
  /** Sign-in throttling (tests set their own). */
  loginLimits?: Partial<LoginLimits>;
  /** Partial photo uploads per device (tests set their own). */
  uploadLimits?: Partial<UploadLimits>;
  /** The housekeeping sweep (partial uploads, old sessions): how often; false for none. */
  maintenance?: false | { everyMs: number };
  /** Fastify's trustProxy: the reverse proxy whose X-Forwarded-For names the client (TRUST_PROXY). */
  trustProxy?: boolean | string | string[];
}

/** What a test needs of the routes: each one registered, with its method. */
export const ROUTES = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const logger = opts.logger === true ? loggerOptions() : opts.logger ? loggerOptions(opts.logger.stream) : false;
  const app = Fastify({ logger, ...(opts.trustProxy !== undefined ? { trustProxy: opts.trustProxy } : {}) });
  const routes: { method: string; url: string }[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url });
  });
  const limits: LoginLimits = { ...DEFAULT_LOGIN_LIMITS, ...opts.loginLimits };
  const uploadLimits: UploadLimits = { ...DEFAULT_UPLOAD_LIMITS, ...opts.uploadLimits };

  // Security headers on every answer: a strict CSP for the app (no inline script or style, scripts
  // and workers from this server only), no sniffing, no referrer, never framed.
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    // Browsers heed it only over HTTPS (behind the county's TLS proxy); no subdomains are assumed.
    strictTransportSecurity: { maxAge: 180 * 86_400, includeSubDomains: false },
    crossOriginEmbedderPolicy: false,
  });
  // Nothing an API answer carries (records, people, photos, tokens) may be kept by a cache.
  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });
  // Answers compressed when the client accepts it: a first download is JSON that shrinks to about a
  // fifth, and on a rural mobile line the bytes cost as much as the seconds. Brotli at quality 4:
  // its default of 11 costs far more time on the server than it saves on the line. Photos (JPEG,
  // already compressed) are sent as they are.
  await app.register(fastifyCompress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } },
  });
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => rateLimited(Math.ceil(ctx.ttl / 1000)),
  });

  app.get('/api/health', async () => ({
    status: 'ok',
    version: opts.version,
    protocol: PROTOCOL_VERSION,
    storage: { backend: opts.db.backend },
    time: new Date().toISOString(),
  }));

  const db = opts.db.db;
  const fail = (reply: FastifyReply, status: number, code: string, message: string, path?: string) =>
    reply.code(status).send({ error: { code, message, ...(path ? { path } : {}) } });

  if (opts.maintenance !== false) {
    const m = startMaintenance(db, { partialMaxAgeMs: uploadLimits.partialMaxAgeMs, everyMs: opts.maintenance?.everyMs ?? 6 * 3_600_000, failuresMaxAgeMs: limits.lockout.windowMs }, (msg, detail) => app.log.info(detail, msg));
    app.addHook('onClose', async () => {
      await m.first;
      await m.stop();
    });
  }

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof AuthError) {
      if (err.retryAfter !== undefined) reply.header('retry-after', String(err.retryAfter));
      return reply.code(err.status).send({ error: { code: err.code, message: err.message, ...err.extra } });
    }
    if (err instanceof HttpError) return reply.code(err.status).send({ error: { code: err.code, message: err.message, ...(err.path ? { path: err.path } : {}), ...err.extra } });
    if (err instanceof StorageFullError || isStorageFull(err)) {
      req.log.error({ code: (err as { code?: unknown }).code }, 'storage full');
      return fail(reply, 507, 'storage-full', '县级服务器存储空间已满，修改已保留在平板上，稍后会自动再发送；请联系管理员 (the county server is out of storage: nothing was lost, the tablet sends again later)');
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) {
      // The error's own text may carry what was sent: only its kind is logged, and nothing of it is answered.
      req.log.error({ kind: (err as Error).name, code: (err as { code?: unknown }).code }, 'request failed');
      return fail(reply, 500, 'internal', '县级服务器出错，请稍后再试 (the server failed; try again later)');
    }
    return fail(reply, status, status === 413 ? 'too-large' : status === 415 ? 'unsupported-media-type' : 'invalid', (err as Error).message);
  });

  // JSON bodies: Fastify's own parser (which refuses prototype poisoning), after a check of the
  // nesting depth that no record of this protocol comes near: a body nested thousands of levels
  // deep is refused before it is parsed, rather than overflowing the stack somewhere after.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (!jsonDepthWithin(body as string, MAX_JSON_DEPTH)) {
      return done(Object.assign(new Error(`the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`), { statusCode: 400 }), undefined);
    }
    parseJson(req, body as string, done);
  });

  // A query parameter given twice (?status=a&status=b) is refused by name, never passed on as a list.
  app.addHook('preValidation', async (req, reply) => {
    const q = req.query as Record<string, unknown> | undefined;
    if (!q || typeof q !== 'object') return;
    for (const [k, v] of Object.entries(q)) {
      if (typeof v !== 'string') return fail(reply, 400, 'invalid', `${k}: give this parameter once, as text`, k);
      if (v.length > 1_000 || v.includes('\u0000')) return fail(reply, 400, 'invalid', `${k}: too long or not text`, k);
    }
  });

  // Photo chunks (at most 256 KiB each; a little slack for the limit itself).
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: 300 * 1024 }, (_req, body, done) => done(null, body));

  /** Protocol versions: an outdated client is told to update (after its outbox is flushed, which it does first). */
  app.addHook('preHandler', async (req, reply) => {
    if (!req.url.startsWith('/api/sync/') && req.url !== '/api/login') return;
    const v = Number(req.headers['x-cunyi-protocol'] ?? NaN);
    if (!Number.isInteger(v)) return fail(reply, 400, 'invalid', 'the x-cunyi-protocol header is required', 'headers.x-cunyi-protocol');
    const minPush = opts.minPushProtocol ?? MIN_PUSH_PROTOCOL;
    const minAll = opts.minClientProtocol ?? MIN_CLIENT_PROTOCOL;
    // An outdated client may still push, so that its outbox is flushed before it updates.
    const isPush = req.url === '/api/sync/push' || req.url === '/api/login';
    if (v < (isPush ? minPush : minAll)) return fail(reply, 426, 'client-too-old', '请更新村医助手后再同步 (update the app to sync)');
    if (v > PROTOCOL_VERSION) return fail(reply, 501, 'server-too-old', '县级服务器版本较旧，请联系管理员 (the server is older than this app)');
  });

  const principal = (req: FastifyRequest): Promise<Principal> => {
    const h = req.headers.authorization ?? '';
    return authenticate(db, h.startsWith('Bearer ') ? h.slice(7) : undefined);
  };

  // Sign-in throttling: per client address before the body is read, per username after, and the
  // lockout of a username after repeated wrong passwords (in login(), kept in the database).
  const byUsername = app.createRateLimit({
    max: limits.perUsername.max,
    timeWindow: limits.perUsername.windowMs,
    keyGenerator: (req) => `username:${String((req.body as Record<string, unknown> | undefined)?.username ?? '').slice(0, 64).toLowerCase()}`,
  });
  const loginConfig = { rateLimit: { max: limits.perAddress.max, timeWindow: limits.perAddress.windowMs, onExceeded: () => app.log.warn('sign-in rate limit reached for a client address') } };
  app.post('/api/login', { config: loginConfig }, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    for (const f of ['username', 'password', 'deviceId'] as const) {
      if (typeof b[f] !== 'string' || b[f] === '') return fail(reply, 400, 'invalid', `${f} is required`, f);
    }
    if (USERNAME.test(b.username as string)) {
      const r = await byUsername(req);
      if (!r.isAllowed && r.isExceeded) {
        req.log.warn('sign-in rate limit reached for a username');
        const e = rateLimited(r.ttlInSeconds);
        reply.header('retry-after', String(e.extra!.retryAfter));
        throw e;
      }
    }
    if (!isUlid(b.deviceId)) return fail(reply, 400, 'invalid', 'deviceId must be a ULID made on the device', 'deviceId');
    if ((b.username as string).length > 64 || (b.password as string).length > 1_024) return fail(reply, 401, 'unauthorized', '用户名或密码不对 (wrong username or password)');
    const deviceName = b.deviceName === undefined ? 'tablet' : b.deviceName;
    if (typeof deviceName !== 'string' || deviceName.length > 100 || /[\u0000-\u001f]/.test(deviceName)) return fail(reply, 400, 'invalid', 'deviceName: at most 100 characters of text', 'deviceName');
    const r = await login(db, b.username as string, b.password as string, b.deviceId as string, deviceName || 'tablet', limits.lockout);
    return { token: r.token, expiresAt: r.expiresAt, user: { username: r.principal.username, displayName: r.principal.displayName, role: r.principal.role, areas: r.principal.areas }, protocol: PROTOCOL_VERSION };
  });

  app.get('/api/me', async (req) => {
    const p = await principal(req);
    return { username: p.username, displayName: p.displayName, role: p.role, areas: p.areas, deviceId: p.deviceId };
  });

  /**
   * The recovery key of this user on this device (`{key}`, base64url of 32 bytes), made on the first
   * request: the tablet wraps its profile's data key with it besides the PIN. Gone, and refused, once
   * the device is revoked or the user disabled; no-store like every API answer (the onSend hook).
   */
  app.get('/api/device-key', async (req) => {
    const p = await principal(req);
    return { key: await deviceKey(db, opts.db.backend, p) };
  });

  app.post('/api/sync/push', async (req, reply) => {
    const p = await principal(req);
    const b = (req.body ?? {}) as { mutations?: unknown };
    if (!Array.isArray(b.mutations)) return fail(reply, 400, 'invalid', 'mutations must be an array', 'mutations');
    if (b.mutations.length > 500) return fail(reply, 413, 'invalid', 'at most 500 mutations a request', 'mutations');
    const results = await push(db, p, b.mutations, (msg, err) => req.log.error({ name: (err as Error)?.name, code: (err as { code?: unknown })?.code }, msg));
    const v = Number(req.headers['x-cunyi-protocol']);
    return { protocol: PROTOCOL_VERSION, results, ...(v < (opts.minClientProtocol ?? MIN_CLIENT_PROTOCOL) ? { updateRequired: true } : {}) };
  });

  app.get('/api/sync/pull', async (req, reply) => {
    const p = await principal(req);
    const q = req.query as Record<string, string | undefined>;
    const since = Number(q.since ?? 0);
    // Bounded: a page is held whole in memory on both sides (10,000 records are about 4 MB of JSON).
    const limit = Math.min(10_000, Number(q.limit ?? 1_000));
    if (!Number.isSafeInteger(since) || since < 0) return fail(reply, 400, 'invalid', 'since must be a checkpoint from the server', 'since');
    if (!Number.isSafeInteger(limit) || limit < 1) return fail(reply, 400, 'invalid', 'limit must be a positive number', 'limit');
    // The rest is counted unless the client says it needs no count (it asks once per download).
    return { protocol: PROTOCOL_VERSION, ...(await pull(db, p, since, limit, q.count !== '0')) };
  });

  app.get('/api/sync/uploads/:sha256', async (req, reply) => {
    const p = await principal(req);
    const { sha256 } = req.params as { sha256: string };
    const status = await uploadStatus(db, p, sha256);
    if (!status) return fail(reply, 404, 'not-found', `the server has no byte of photo ${sha256}`);
    return status;
  });

  app.put('/api/sync/uploads/:sha256', async (req) => {
    const p = await principal(req);
    const { sha256 } = req.params as { sha256: string };
    const h = req.headers;
    return putChunk(db, opts.db.backend, p, sha256, { size: h['x-cunyi-size'], mime: h['x-cunyi-mime'], offset: h['x-cunyi-offset'] }, req.body, uploadLimits);
  });

  /** An id in a path: anything that is no id made by the app names no record. */
  const idParam = (req: FastifyRequest, name = 'id'): string => {
    const id: string = (req.params as Record<string, string>)[name] ?? '';
    if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) throw new HttpError(404, 'not-found', `no record ${JSON.stringify(id.slice(0, 40))}`, name);
    return id;
  };

  app.get('/api/review/filings', async (req) => listFilings(db, await principal(req), req.query as ListQuery));

  app.get('/api/review/filings/:id', async (req) => filingDetail(db, await principal(req), idParam(req)));

  app.post('/api/review/filings/:id/actions', async (req) => actOnFiling(db, await principal(req), idParam(req), req.body));

  app.get('/api/dashboard', async (req) => dashboardReport(db, await principal(req), req.query as { area?: string }));

  app.get('/api/dashboard/list', async (req) => figureList(db, await principal(req), req.query as { village?: string; figure?: string }));

  /** Who changed a record, and when: for any user whose jurisdiction holds the record. */
  app.get('/api/records/:entity/:id/history', async (req) => {
    const p = await principal(req);
    const name = (req.params as { entity: string }).entity;
    if (!(ENTITIES as readonly string[]).includes(name)) throw new HttpError(404, 'not-found', `no kind of record "${name.slice(0, 40)}"`, 'entity');
    const entity = name as Entity;
    const id = idParam(req);
    const changes = await historyFor(db, p, entity, id);
    if (!changes) throw new HttpError(404, 'not-found', `no ${entity} ${id}`);
    return { entity, id, changes };
  });

  app.get('/api/filings/:id/documents/:sha256', async (req, reply) => {
    const p = await principal(req);
    const { sha256 } = req.params as { sha256: string };
    const doc = await filingDocument(db, p, idParam(req), sha256);
    // A photo of a person's documents: never kept by a cache (the onSend hook says no-store).
    return reply.header('content-type', doc.mime).send(doc.data);
  });

  app.get('/api/visits/:id/photos/:sha256', async (req, reply) => {
    const p = await principal(req);
    const { sha256 } = req.params as { sha256: string };
    const photo = await visitPhoto(db, p, idParam(req), sha256);
    // A photo taken in someone's home: never kept by a cache either.
    return reply.header('content-type', photo.mime).send(photo.data);
  });

  // Roster import (docs/import.md): the file as the body (up to IMPORT_LIMIT), a report back; every attempt audited.
  app.addContentTypeParser(['text/csv', XLSX_MIME], { parseAs: 'buffer', bodyLimit: IMPORT_LIMIT }, (_req, body, done) => done(null, body));
  app.post('/api/admin/import', { bodyLimit: IMPORT_LIMIT }, async (req, reply) => {
    const p = await principal(req);
    const r = await importRequest(db, p, req.query, req.headers, req.body);
    req.log.info({ user: p.username, dryRun: r.dryRun, ok: r.ok, rows: r.rows, changes: r.changes, problems: r.problems.length }, 'roster import');
    // A dry run answers 200 with what it found; an import the file's problems stopped, 422.
    return reply.code(r.ok || r.dryRun ? 200 : 422).send(r);
  });
  app.get('/api/admin/imports', async (req) => importsRequest(db, await principal(req), req.query));
  // Accounts, their areas and devices (src/server/admin.ts), each change audited in admin_audit.
  adminRoutes(app, db, principal);

  app.get('/api/export/roster.xlsx', async (req, reply) => {
    const x = await rosterRequest(db, await principal(req), req.query);
    return reply.header('content-type', XLSX_MIME).header('content-disposition', attachment(x.fileName, 'roster.xlsx')).send(x.bytes);
  });
  app.get('/api/export/template.xlsx', async (req, reply) => {
    await principal(req);
    return reply.header('content-type', XLSX_MIME).header('content-disposition', attachment('花名册导入模板.xlsx', 'template.xlsx')).send(await templateXlsx());
  });
  // Chronic enrolments, the 台账 of a year, the filings: for the caller's area or ?area= within it.
  for (const [path, request, fallback] of [
    ['/api/export/enrolments.xlsx', enrolmentsRequest, 'enrolments.xlsx'],
    ['/api/export/ledger.xlsx', ledgerRequest, 'ledger.xlsx'],
    ['/api/export/filings.xlsx', filingsRequest, 'filings.xlsx'],
  ] as const) {
    app.get(path, async (req, reply) => {
      const x = await request(db, await principal(req), req.query);
      return reply.header('content-type', XLSX_MIME).header('content-disposition', attachment(x.fileName, fallback)).send(x.bytes);
    });
  }

  app.all('/api/*', async (req, reply) => fail(reply, 404, 'not-found', `no API route ${req.method} ${req.url}`));

  const dist = resolve(opts.distDir);
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`the built app is missing at ${dist}: run "npm run build" (npm start does it)`);
  }
  await app.register(fastifyStatic, {
    root: dist,
    wildcard: false,
    setHeaders: (res, path) => {
      // The service worker and the shell must always be revalidated; hashed assets never change.
      if (/\/(sw\.js|index\.html|manifest\.webmanifest|registerSW\.js)$/.test(path)) res.setHeader('Cache-Control', 'no-cache');
      else if (/\/assets\//.test(path)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    },
  });
  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && !req.url.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html')) {
      return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
    }
    return reply.code(404).send({ error: { code: 'not-found', message: `${req.method} ${req.url}` } });
  });
  return app;
}

/** 429 with the seconds to wait, in the user's words first. */
function rateLimited(seconds: number): HttpError {
  const s = Math.max(1, seconds);
  const wait = s < 120 ? `${s} 秒` : `${Math.ceil(s / 60)} 分钟`;
  return new HttpError(429, 'rate-limited', `登录尝试太频繁，请 ${wait}后再试 (too many sign-in attempts: try again in ${s} s)`, undefined, { retryAfter: s });
}
