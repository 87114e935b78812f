/**
 * Proxy filing (代报代办) on the county server (docs/filing.md): photos uploaded in resumable chunks,
 * filings taken from the tablets' pushes (inside the push's transaction, so the result is stored
 * exactly once like every mutation's), and the reviewers' queue, detail and actions. What makes a
 * filing complete and what each review action does is src/model/filing.ts, shared with the tablet.
 */
import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { estimate, historyFromRecords, type PriorClaim } from '../model/estimate.ts';
import {
  applyReview,
  checkFiling,
  currentStage,
  filingType,
  mayAct,
  resubmittedRecord,
  submittedRecord,
  WorkflowError,
  FILING_STATUSES,
  MAX_PHOTO_BYTES,
  PHOTO_TYPES,
  type Actor,
  type DocumentRef,
  type FilingContent,
  type FilingEvent,
  type FilingRecord,
  type FilingSubmission,
  type ReviewAction,
  type ServerFilingStatus,
} from '../model/filing.ts';
import { claimDateOf, grantDoubts, statusOnDate } from '../model/filing-doubts.ts';
import { ageOn, type Household, type Member, type StatusRecord, type Village } from '../model/roster.ts';
import type { Mutation, MutationResult, Role } from '../model/sync.ts';
import { ulid } from '../model/ulid.ts';
import { builtinPack, isIsoDate, parseAmount, PAYERS, type CompiledPack, type FilingTypeRule } from '../rules/index.ts';
import { inAreas, inCounties, inJurisdiction, type Principal } from './auth.ts';
import { countyOf, ensureCounties, nextSeq, type Backend, type Tables } from './db.ts';

type Db = Kysely<Tables>;
type Trx = Transaction<Tables>;

/** The largest chunk of a photo a client sends in one request. */
export const CHUNK_BYTES = 256 * 1024;

/** An HTTP error with the protocol's error code; `extra` goes into the error object (e.g. `received`). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Roles that file: they upload photos and push filings. */
const FILERS: readonly Role[] = ['village-doctor', 'village-cadre', 'admin'];
/** Roles that read the review queue (the administrator reads but never acts). */
const REVIEWERS: readonly Role[] = ['township-reviewer', 'county-reviewer', 'admin'];

const HEX64 = /^[0-9a-f]{64}$/;

/** Today's date where the tablets are (China, UTC+8): no filing may be dated after it. */
export function todayInChina(now = Date.now()): string {
  return new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
}

const sha256Of = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Whether the bytes begin as an image of that type (JPEG, PNG or WebP). */
export function looksLike(mime: string, b: Uint8Array): boolean {
  const at = (i: number, ...bytes: number[]) => bytes.every((x, j) => b[i + j] === x);
  switch (mime) {
    case 'image/jpeg':
      return b.length >= 3 && at(0, 0xff, 0xd8, 0xff);
    case 'image/png':
      return b.length >= 8 && at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
    case 'image/webp':
      return b.length >= 12 && at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50);
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Photos

export interface UploadStatus {
  sha256: string;
  size: number;
  mime: string;
  received: number;
  complete: boolean;
}

function mayUpload(p: Principal): void {
  if (!FILERS.includes(p.role)) throw new HttpError(403, 'forbidden', '只有村医和村干部上传照片 (only village doctors and cadres upload photos)');
}

function checkSha(sha: string): void {
  if (!HEX64.test(sha)) throw new HttpError(400, 'invalid', 'sha256 must be 64 lower-case hex digits', 'sha256');
}

/** How much partial upload one device may keep, and for how long (docs/filing.md). */
export interface UploadLimits {
  /** Unfinished photos a device may have on the server at once. */
  maxPartials: number;
  /** Declared bytes of those unfinished photos, together. */
  maxPartialBytes: number;
  /** A partial upload untouched for this long is removed by the sweep. */
  partialMaxAgeMs: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxPartials: 30, maxPartialBytes: 50 * 1024 * 1024, partialMaxAgeMs: 7 * 86_400_000 };

/** Whether this device sent the photo whole (and the server holds it). */
async function owns(db: Db | Trx, p: Principal, sha: string): Promise<{ size: number; mime: string } | undefined> {
  return db
    .selectFrom('upload_owners')
    .innerJoin('uploads', 'uploads.sha256', 'upload_owners.sha256')
    .select(['uploads.size', 'uploads.mime'])
    .where('upload_owners.sha256', '=', sha)
    .where('upload_owners.device_id', '=', p.deviceId)
    .where('uploads.complete', '=', 1)
    .executeTakeFirst();
}

/**
 * How much of a photo this device has sent, or null when it has sent no byte of it. Each device
 * sees only its own uploads: a photo another device sent is unknown here until this device sends
 * it whole too (which proves it holds the photo), so no one learns from a hash what the server holds.
 */
export async function uploadStatus(db: Db, p: Principal, sha: string): Promise<UploadStatus | null> {
  mayUpload(p);
  checkSha(sha);
  const done = await owns(db, p, sha);
  if (done) return { sha256: sha, size: done.size, mime: done.mime, received: done.size, complete: true };
  const row = await db.selectFrom('upload_parts').select(['size', 'mime', 'received']).where('sha256', '=', sha).where('device_id', '=', p.deviceId).executeTakeFirst();
  if (!row || row.received === 0) return null;
  return { sha256: sha, size: row.size, mime: row.mime, received: row.received, complete: false };
}

export interface ChunkHeaders {
  size: unknown;
  mime: unknown;
  offset: unknown;
}

const wholeNumber = (v: unknown): number | null => (typeof v === 'string' && /^[0-9]{1,10}$/.test(v.trim()) ? Number(v.trim()) : null);

/**
 * Takes one chunk of a photo at `offset`, from this device (each device's partial upload is its own:
 * no other device resumes or restarts it). When the last byte arrives, the size, the SHA-256 and the
 * image type are checked and only then is the photo kept; a photo whose bytes hash to something
 * else is dropped whole. Idempotent: a photo this device sent whole answers complete and takes
 * nothing more. A device may keep at most `limits.maxPartials` unfinished photos of at most
 * `limits.maxPartialBytes` together (429 upload-quota beyond).
 */
export async function putChunk(db: Db, backend: Backend, p: Principal, sha: string, h: ChunkHeaders, chunk: unknown, limits: UploadLimits = DEFAULT_UPLOAD_LIMITS): Promise<{ received: number; complete: boolean }> {
  mayUpload(p);
  checkSha(sha);
  const done = await owns(db, p, sha);
  if (done) return { received: done.size, complete: true };

  const size = wholeNumber(h.size);
  if (size === null || size < 1) throw new HttpError(400, 'invalid', 'x-cunyi-size: the photo’s size in bytes is required', 'headers.x-cunyi-size');
  if (size > MAX_PHOTO_BYTES) throw new HttpError(413, 'too-large', `照片不能超过 ${MAX_PHOTO_BYTES / 1024 / 1024} MB (the photo is ${size} bytes, over the limit)`, 'headers.x-cunyi-size');
  const mime = typeof h.mime === 'string' ? h.mime.trim().toLowerCase() : '';
  if (!PHOTO_TYPES.includes(mime)) throw new HttpError(415, 'not-an-image', `仅支持 JPEG、PNG、WebP 照片 (x-cunyi-mime must be one of ${PHOTO_TYPES.join(', ')}, got "${String(h.mime ?? '').slice(0, 60)}")`, 'headers.x-cunyi-mime');
  const offset = wholeNumber(h.offset);
  if (offset === null) throw new HttpError(400, 'invalid', 'x-cunyi-offset: where this chunk starts, in bytes, is required', 'headers.x-cunyi-offset');
  if (!Buffer.isBuffer(chunk) || chunk.length === 0) throw new HttpError(400, 'invalid', 'the chunk is required as an application/octet-stream body', 'body');
  if (chunk.length > CHUNK_BYTES) throw new HttpError(413, 'too-large', `a chunk is at most ${CHUNK_BYTES} bytes (got ${chunk.length})`, 'body');
  if (offset + chunk.length > size) throw new HttpError(400, 'invalid', `the chunk ends at byte ${offset + chunk.length}, past x-cunyi-size ${size}`, 'body');
  // Refuse bytes that are plainly not the declared image before storing any of them.
  if (offset === 0 && chunk.length >= 12 && !looksLike(mime, chunk)) throw new HttpError(415, 'not-an-image', `这不是 ${mime} 图片 (the bytes are not a ${mime} image)`, 'body');

  const result = await db.transaction().execute(async (trx): Promise<{ received: number; complete: boolean } | HttpError> => {
    const now = new Date().toISOString();
    const mine = (q: any) => q.where('sha256', '=', sha).where('device_id', '=', p.deviceId);
    if (offset === 0) {
      // This device's other unfinished photos: a device may keep only so many, of so many bytes.
      const others = await trx
        .selectFrom('upload_parts')
        .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.sum<number | string | null>('size').as('bytes')])
        .where('device_id', '=', p.deviceId)
        .where('sha256', '!=', sha)
        .executeTakeFirstOrThrow();
      const n = Number(others.n);
      const bytes = Number(others.bytes ?? 0);
      const mb = (b: number) => Math.round(b / 1024 / 1024);
      if (n + 1 > limits.maxPartials) {
        return new HttpError(429, 'upload-quota', `这台设备未传完的照片太多（最多 ${limits.maxPartials} 张），请先传完已开始的照片 (this device has ${n} unfinished photo uploads; at most ${limits.maxPartials})`, 'sha256', { partials: n });
      }
      if (bytes + size > limits.maxPartialBytes) {
        return new HttpError(429, 'upload-quota', `这台设备未传完的照片超过 ${mb(limits.maxPartialBytes)} MB，请先传完已开始的照片 (unfinished uploads of this device would exceed ${limits.maxPartialBytes} bytes)`, 'headers.x-cunyi-size', { partialBytes: bytes });
      }
      await trx
        .insertInto('upload_parts')
        .values({ sha256: sha, device_id: p.deviceId, user_id: p.userId, size, mime, received: 0, data: Buffer.alloc(0), created_at: now, updated_at: now })
        .onConflict((oc) => oc.columns(['sha256', 'device_id']).doNothing())
        .execute();
    }
    let q = mine(trx.selectFrom('upload_parts').selectAll());
    // Concurrent chunks of one photo (a retry racing the original) take turns on PostgreSQL.
    if (backend === 'postgres') q = q.forUpdate();
    const row = (await q.executeTakeFirst()) as Tables['upload_parts'] | undefined;
    if (!row) {
      // A retry racing the chunk that finished the photo.
      const finished = await owns(trx, p, sha);
      if (finished) return { received: finished.size, complete: true };
      return new HttpError(409, 'offset-mismatch', 'the server has no byte of this photo: start at offset 0', 'headers.x-cunyi-offset', { received: 0 });
    }
    let data = Buffer.from(row.data);
    let received = row.received;
    if (row.size !== size || row.mime !== mime) {
      if (offset !== 0) {
        const field = row.size !== size ? 'x-cunyi-size' : 'x-cunyi-mime';
        return new HttpError(400, 'invalid', `${field} differs from the upload in progress (${row.size} bytes, ${row.mime}): start again at offset 0`, `headers.${field}`);
      }
      // The same photo declared differently from offset 0: start it again.
      data = Buffer.alloc(0);
      received = 0;
    }
    if (offset !== received) return new HttpError(409, 'offset-mismatch', `the server has ${received} bytes of this photo: resume there`, 'headers.x-cunyi-offset', { received });
    data = Buffer.concat([data, chunk]);
    received += chunk.length;
    if (received < size) {
      await mine(trx.updateTable('upload_parts').set({ size, mime, data, received, updated_at: now })).execute();
      return { received, complete: false };
    }
    await mine(trx.deleteFrom('upload_parts')).execute();
    const actual = sha256Of(data);
    if (actual !== sha) return new HttpError(422, 'hash-mismatch', `照片内容与 SHA-256 不符，请重新上传 (the bytes hash to ${actual}; the partial upload was dropped)`, 'sha256');
    if (!looksLike(mime, data)) return new HttpError(415, 'not-an-image', `这不是 ${mime} 图片 (the bytes are not a ${mime} image; the upload was dropped)`, 'headers.x-cunyi-mime');
    // The photo may be on the server already (sent whole by another device): the bytes are the same.
    await trx
      .insertInto('uploads')
      .values({ sha256: sha, size, mime, received, data, complete: 1, uploaded_by: p.userId, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
    await trx
      .insertInto('upload_owners')
      .values({ sha256: sha, device_id: p.deviceId, user_id: p.userId, at: now })
      .onConflict((oc) => oc.columns(['sha256', 'device_id']).doNothing())
      .execute();
    return { received, complete: true };
  });
  // A hash or type mismatch drops the partial upload: commit that, then refuse.
  if (result instanceof HttpError) throw result;
  return result;
}

/** Removes partial uploads untouched since `before` (an ISO instant); returns how many. */
export async function sweepPartialUploads(db: Db, before: string): Promise<number> {
  const r = await db.deleteFrom('upload_parts').where('updated_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

// ---------------------------------------------------------------------------------------------
// Filings pushed by the tablets

/** A permanent refusal of a filing mutation, stored as its result. */
class Refusal extends Error {
  constructor(
    readonly code: 'forbidden' | 'not-found' | 'exists' | 'incomplete' | 'document-missing' | 'wrong-status' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isFen = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function text(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new Refusal('invalid', `${path} must be text`);
  return v;
}

/** The content as sent, reduced to the known shape (checkFiling then judges the values). */
function contentOf(raw: unknown): FilingContent {
  if (!isObject(raw)) throw new Refusal('invalid', 'content must be an object');
  const fieldsRaw = raw.fields ?? {};
  if (!isObject(fieldsRaw)) throw new Refusal('invalid', 'content.fields must be an object of field id → text');
  const fields: FilingContent['fields'] = {};
  for (const [k, v] of Object.entries(fieldsRaw)) (fields as Record<string, string>)[k] = text(v, `content.fields.${k}`);
  const docsRaw = raw.documents ?? [];
  if (!Array.isArray(docsRaw)) throw new Refusal('invalid', 'content.documents must be a list');
  const documents: DocumentRef[] = docsRaw.map((d, i) => {
    if (!isObject(d)) throw new Refusal('invalid', `content.documents[${i}] must be an object`);
    return { id: d.id as string, kind: d.kind as string, sha256: d.sha256 as string, size: d.size as number, mime: d.mime as string };
  });
  let consent: FilingContent['consent'] = null;
  if (raw.consent != null) {
    const c = raw.consent;
    if (!isObject(c)) throw new Refusal('invalid', 'content.consent must be an object');
    consent = { method: c.method as 'signature' | 'photo', signer: text(c.signer, 'content.consent.signer'), at: text(c.at, 'content.consent.at'), sha256: text(c.sha256, 'content.consent.sha256') };
  }
  let villageConfirmation: FilingContent['villageConfirmation'] = null;
  if (raw.villageConfirmation != null) {
    const v = raw.villageConfirmation;
    if (!isObject(v)) throw new Refusal('invalid', 'content.villageConfirmation must be an object');
    villageConfirmation = { by: text(v.by, 'content.villageConfirmation.by'), date: text(v.date, 'content.villageConfirmation.date') };
  }
  let est: FilingContent['estimate'] = null;
  if (raw.estimate != null) {
    const e = raw.estimate;
    if (!isObject(e)) throw new Refusal('invalid', 'content.estimate must be an object');
    const claim = e.claim;
    if (!isObject(claim)) throw new Refusal('invalid', 'content.estimate.claim must be an object');
    if (!isFen(claim.total) || !isFen(claim.outOfCatalog)) throw new Refusal('invalid', 'content.estimate.claim: total and outOfCatalog must be fen (whole numbers)');
    if (!isObject(e.payers) || !Object.values(e.payers).every(isFen)) throw new Refusal('invalid', 'content.estimate.payers must map payers to fen (whole numbers)');
    if (!isFen(e.patient)) throw new Refusal('invalid', 'content.estimate.patient must be fen (a whole number)');
    est = {
      packId: text(e.packId, 'content.estimate.packId'),
      packVersion: text(e.packVersion ?? '', 'content.estimate.packVersion'),
      packHash: text(e.packHash ?? '', 'content.estimate.packHash'),
      claim: {
        date: text(claim.date, 'content.estimate.claim.date'),
        kind: 'inpatient',
        facilityClass: text(claim.facilityClass, 'content.estimate.claim.facilityClass'),
        total: claim.total,
        outOfCatalog: claim.outOfCatalog,
        disease: typeof claim.disease === 'string' ? claim.disease : null,
      },
      payers: { ...(e.payers as Record<string, number>) },
      patient: e.patient,
      priorCount: Number.isSafeInteger(e.priorCount) ? (e.priorCount as number) : 0,
      computedAt: typeof e.computedAt === 'string' ? e.computedAt : '',
    };
  }
  return { fields, documents, consent, villageConfirmation, estimate: est };
}

function packOf(id: unknown): CompiledPack {
  if (typeof id !== 'string' || id === '') throw new Refusal('invalid', 'packId is required');
  try {
    return builtinPack(id, 'packId');
  } catch {
    throw new Refusal('invalid', `packId: no policy pack "${id}" on the server`);
  }
}

/** checkFiling's findings as one message naming each place. */
function checkComplete(pack: CompiledPack, typeId: string, content: FilingContent): void {
  const issues = checkFiling(pack, typeId, content, todayInChina());
  if (issues.length) throw new Refusal('incomplete', `申请不完整 (incomplete): ${issues.map((i) => `${i.path}: ${i.detail}`).join('; ')}`);
}

/**
 * Every photo the filing names is complete on the server with the same size and type, and was
 * sent whole from this device (or is named by an earlier version of the same filing): a filing
 * cannot name, and so open, a photo of someone else's by knowing its hash.
 */
async function checkDocuments(trx: Trx, p: Principal, pack: CompiledPack, typeId: string, content: FilingContent, earlier: ReadonlySet<string> = new Set()): Promise<void> {
  const shas = [...new Set(content.documents.map((d) => d.sha256))];
  if (shas.length === 0) return;
  const rows = await trx.selectFrom('uploads').select(['sha256', 'size', 'mime', 'complete']).where('sha256', 'in', shas).execute();
  const bySha = new Map(rows.map((r) => [r.sha256, r]));
  const owned = new Set((await trx.selectFrom('upload_owners').select('sha256').where('device_id', '=', p.deviceId).where('sha256', 'in', shas).execute()).map((r) => r.sha256));
  const type = filingType(pack, typeId);
  const kindName = (kind: string) => {
    const t = type?.documents.find((x) => x.id === kind);
    return t ? `${t['zh-CN']} (${t.en}, ${kind})` : kind === 'consent' ? '本人同意 (consent)' : kind;
  };
  const problems: string[] = [];
  for (const d of content.documents) {
    const u = bySha.get(d.sha256);
    const mine = owned.has(d.sha256) || earlier.has(d.sha256);
    if (!u || u.complete !== 1 || !mine) problems.push(`${kindName(d.kind)}: 照片尚未从这台设备上传完整 (photo ${String(d.sha256).slice(0, 12)}… is not uploaded from this device)`);
    else if (u.size !== d.size || u.mime !== d.mime) problems.push(`${kindName(d.kind)}: 照片与上传的不一致 (photo ${d.sha256.slice(0, 12)}… was uploaded as ${u.size} bytes ${u.mime})`);
  }
  if (problems.length) throw new Refusal('document-missing', problems.join('; '));
}

/** A record by id, looked for in the principal's counties only (their partitions, on PostgreSQL). */
async function recordRow(trx: Trx | Db, p: Principal, entity: string, id: string) {
  return trx.selectFrom('records').selectAll().where(inCounties(p)).where('entity', '=', entity).where('id', '=', id).executeTakeFirst();
}

async function audit(trx: Trx, p: Principal, filingId: string, e: FilingEvent): Promise<void> {
  await trx
    .insertInto('filing_audit')
    .values({
      id: ulid(),
      filing_id: filingId,
      action: e.action,
      stage: e.stage,
      version: e.version,
      user_id: p.userId,
      username: p.username,
      role: p.role,
      device_id: p.deviceId,
      amount: e.amount ?? null,
      reason: e.reason ?? null,
      at: e.at,
    })
    .execute();
}

const actorOf = (p: Principal): Actor => ({ username: p.username, name: p.displayName, role: p.role, areas: p.areas });

/**
 * A filing mutation from a tablet: create (a first submission), update (a returned filing sent
 * again as a new version), never delete. Runs in the push's transaction.
 */
export async function applyFilingMutation(trx: Trx, p: Principal, m: Mutation): Promise<MutationResult> {
  try {
    const rev = await (m.op === 'create' ? createFiling(trx, p, m) : m.op === 'update' ? resubmitFiling(trx, p, m) : refuseDelete(m));
    return { id: m.id, status: 'applied', rev };
  } catch (e) {
    if (e instanceof Refusal) return { id: m.id, status: 'rejected', code: e.code, message: e.message };
    if (e instanceof WorkflowError) return { id: m.id, status: 'rejected', code: e.code, message: e.field ? `${e.field}: ${e.message}` : e.message };
    throw e;
  }
}

function refuseDelete(m: Mutation): never {
  if (m.op !== 'delete') throw new Refusal('invalid', `unknown op "${String(m.op)}"`);
  throw new Refusal('forbidden', '已提交的申请不能删除，请联系审核人驳回 (a submitted filing is withdrawn by asking the reviewer to reject it)');
}

function mayFile(p: Principal): void {
  if (!FILERS.includes(p.role)) throw new Refusal('forbidden', '只有村医和村干部代办申请 (only village doctors and cadres file)');
}

/** The member the filing is for: on the server, in that household and village, in the user's villages. */
async function memberFor(trx: Trx, p: Principal, memberId: string, householdId: string, villageId: string) {
  const row = await recordRow(trx, p, 'member', memberId);
  if (!row) throw new Refusal('not-found', `memberId: member ${memberId} is not on the server`);
  if (!inJurisdiction(p, row.village_code)) throw new Refusal('forbidden', '不在您负责的村庄范围内 (outside your villages)');
  if (row.deleted) throw new Refusal('not-found', `memberId: member ${memberId} was deleted`);
  const member = JSON.parse(row.data) as Member;
  if (member.householdId !== householdId) throw new Refusal('invalid', `householdId: member ${memberId} is in household ${member.householdId}`);
  if (member.villageId !== villageId) throw new Refusal('invalid', `villageId: member ${memberId} is in village ${member.villageId}`);
  return { row, member };
}

async function createFiling(trx: Trx, p: Principal, m: Mutation): Promise<number> {
  mayFile(p);
  const d = m.data;
  if (d.id !== undefined && d.id !== m.entityId) throw new Refusal('invalid', 'id: data.id differs from entityId');
  const memberId = text(d.memberId, 'memberId');
  const householdId = text(d.householdId, 'householdId');
  const villageId = text(d.villageId, 'villageId');
  const typeId = text(d.type, 'type');
  if (d.version !== 1) throw new Refusal('invalid', 'version: a first submission is version 1');
  const createdAt = text(d.createdAt, 'createdAt');
  if (!isIsoDate(createdAt.slice(0, 10))) throw new Refusal('invalid', 'createdAt must be an ISO date-time');
  const pack = packOf(d.packId);
  const { row } = await memberFor(trx, p, memberId, householdId, villageId);
  if (await recordRow(trx, p, 'filing', m.entityId)) throw new Refusal('exists', `filing ${m.entityId} already exists`);
  const village = await recordRow(trx, p, 'village', villageId);
  const villagePack = village ? (JSON.parse(village.data) as Village).packId : null;
  if (villagePack && villagePack !== pack.id) throw new Refusal('invalid', `packId: the village’s policy pack is ${villagePack}, not ${pack.id}`);
  if (!filingType(pack, typeId)) throw new Refusal('invalid', `type: 政策 ${pack.id} 没有代办类型 "${typeId}" (no such filing type in the pack)`);
  const content = contentOf(d.content);
  checkComplete(pack, typeId, content);
  await checkDocuments(trx, p, pack, typeId, content);

  const now = new Date().toISOString();
  const submission: FilingSubmission = { id: m.entityId, memberId, householdId, villageId, packId: pack.id, type: typeId, version: 1, content, createdAt };
  const record = submittedRecord(pack, submission, actorOf(p), now);
  await ensureCounties(trx, [row.county_code]);
  const seq = await nextSeq(trx, 1);
  await trx
    .insertInto('records')
    .values({ entity: 'filing', id: record.id, village_code: row.village_code, county_code: row.county_code, data: JSON.stringify(record), rev: 1, field_revs: '{}', seq, deleted: 0, updated_at: now })
    .execute();
  await audit(trx, p, record.id, record.events.at(-1)!);
  return 1;
}

async function resubmitFiling(trx: Trx, p: Principal, m: Mutation): Promise<number> {
  mayFile(p);
  const existing = await recordRow(trx, p, 'filing', m.entityId);
  if (!existing || existing.deleted) throw new Refusal('not-found', `filing ${m.entityId} is not on the server`);
  if (!inJurisdiction(p, existing.village_code)) throw new Refusal('forbidden', '不在您负责的村庄范围内 (outside your villages)');
  const current = JSON.parse(existing.data) as FilingRecord;
  const version = m.data.version;
  if (!Number.isSafeInteger(version)) throw new Refusal('invalid', `version: the next version (${current.version + 1}) is required`);
  const content = contentOf(m.data.content);
  const now = new Date().toISOString();
  // The workflow first: only a returned filing is resubmitted, as the next version.
  const record = resubmittedRecord(current, { version: version as number, content }, actorOf(p), now);
  await memberFor(trx, p, current.memberId, current.householdId, current.villageId);
  const pack = packOf(current.packId);
  checkComplete(pack, current.type, content);
  const earlier = new Set([current.content, ...current.versions.map((v) => v.content)].flatMap((c) => c.documents.map((d) => d.sha256)));
  await checkDocuments(trx, p, pack, current.type, content, earlier);
  const seq = await nextSeq(trx, 1);
  const rev = existing.rev + 1;
  const r = await trx
    .updateTable('records')
    .set({ data: JSON.stringify(record), rev, seq, updated_at: now })
    .where('entity', '=', 'filing')
    .where('id', '=', m.entityId)
    .where('county_code', '=', existing.county_code)
    .where('rev', '=', existing.rev)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new Refusal('wrong-status', 'the filing changed on the server meanwhile; pull and try again');
  await audit(trx, p, record.id, record.events.at(-1)!);
  return rev;
}

// ---------------------------------------------------------------------------------------------
// Review

function mayReview(p: Principal): void {
  if (!REVIEWERS.includes(p.role)) throw new HttpError(403, 'forbidden', '审核页面仅供乡镇和县级审核人员使用 (for township and county reviewers)');
}

const notFound = (id: string) => new HttpError(404, 'not-found', `没有这份申请 (no filing ${id})`);


function packOrNull(id: string): CompiledPack | null {
  try {
    return builtinPack(id);
  } catch {
    return null;
  }
}

const SERVER_STATUSES = FILING_STATUSES.filter((s) => s !== 'draft' && s !== 'queued') as ServerFilingStatus[];

export interface ListQuery {
  status?: string;
  stage?: string;
  type?: string;
  village?: string;
  minAge?: string;
  maxAge?: string;
  actionable?: string;
  limit?: string;
  offset?: string;
}

/** A title in Chinese (the app localizes from the type and stage ids through the pack). */
const titleOf = (t: { 'zh-CN': string } | undefined | null, fallback: string | null) => (t ? t['zh-CN'] : fallback);

interface Loaded {
  record: FilingRecord;
  rev: number;
  villageCode: string;
  pack: CompiledPack | null;
  type: FilingTypeRule | undefined;
}

function loaded(row: { data: string; rev: number; village_code: string }): Loaded {
  const record = JSON.parse(row.data) as FilingRecord;
  const pack = packOrNull(record.packId);
  return { record, rev: row.rev, villageCode: row.village_code, pack, type: pack ? filingType(pack, record.type) : undefined };
}

const canActOn = (p: Principal, f: Loaded) => (f.type ? mayAct(p, f.type, f.record, f.villageCode) : false);

/** Records of an entity by id, parsed, in chunks (for the members and villages of a page of filings). */
async function dataById<T>(db: Db, p: Principal, entity: string, ids: string[]): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db.selectFrom('records').select(['id', 'data', 'deleted']).where(inCounties(p)).where('entity', '=', entity).where('id', 'in', unique.slice(i, i + 500)).execute();
    for (const r of rows) if (!r.deleted) out.set(r.id, JSON.parse(r.data) as T);
  }
  return out;
}

function intParam(v: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  const n = wholeNumber(v);
  if (n === null || n < min || n > max) throw new HttpError(400, 'invalid', `${name} must be a whole number from ${min} to ${max}`, name);
  return n;
}

/**
 * The filings of the reviewer's jurisdiction, oldest submission first, filtered. A county holds
 * some thousands of filings at most, so they are filtered here rather than in SQL over JSON (which
 * differs between SQLite and PostgreSQL).
 */
export async function listFilings(db: Db, p: Principal, q: ListQuery) {
  mayReview(p);
  const statuses = q.status ? q.status.split(',').map((s) => s.trim()) : null;
  const badStatus = statuses?.find((s) => !SERVER_STATUSES.includes(s as ServerFilingStatus));
  if (badStatus !== undefined) throw new HttpError(400, 'invalid', `status: "${badStatus}" is not one of ${SERVER_STATUSES.join(', ')}`, 'status');
  const minAge = intParam(q.minAge, 'minAge', 0, 150, 0);
  const maxAge = intParam(q.maxAge, 'maxAge', 0, 150, 150);
  const limit = intParam(q.limit, 'limit', 1, 500, 50);
  const offset = intParam(q.offset, 'offset', 0, 1_000_000_000, 0);
  if (q.actionable !== undefined && !['', '0', '1', 'true', 'false'].includes(q.actionable)) throw new HttpError(400, 'invalid', 'actionable must be 1 or 0', 'actionable');
  const actionable = q.actionable === '1' || q.actionable === 'true';
  const ageFilter = q.minAge !== undefined || q.maxAge !== undefined;

  if (p.role !== 'admin' && p.areas.length === 0) return { filings: [], total: 0 };
  let query = db.selectFrom('records').select(['id', 'data', 'rev', 'village_code']).where('entity', '=', 'filing').where('deleted', '=', 0);
  if (p.role !== 'admin') query = query.where(inAreas(p.areas));
  let list = (await query.execute()).map(loaded);
  if (statuses) list = list.filter((f) => statuses.includes(f.record.status));
  if (q.stage) list = list.filter((f) => f.record.stage === q.stage);
  if (q.type) list = list.filter((f) => f.record.type === q.type);
  if (q.village) list = list.filter((f) => f.record.villageId === q.village || f.villageCode === q.village);
  if (actionable) list = list.filter((f) => canActOn(p, f));
  const members = await dataById<Member>(db, p, 'member', list.map((f) => f.record.memberId));
  const today = todayInChina();
  const age = (f: Loaded) => ageOn(members.get(f.record.memberId)?.birthDate, today);
  if (ageFilter) list = list.filter((f) => {
    const a = age(f);
    return a !== null && a >= minAge && a <= maxAge;
  });
  const submittedAt = (f: Loaded) => f.record.versions[0]?.submittedAt ?? f.record.createdAt;
  list.sort((a, b) => (submittedAt(a) < submittedAt(b) ? -1 : submittedAt(a) > submittedAt(b) ? 1 : a.record.id < b.record.id ? -1 : 1));
  const page = list.slice(offset, offset + limit);
  const villages = await dataById<Village>(db, p, 'village', page.map((f) => f.record.villageId));
  return {
    filings: page.map((f) => {
      const m = members.get(f.record.memberId);
      const v = villages.get(f.record.villageId);
      const stage = f.type ? currentStage(f.type, f.record).stage : null;
      return {
        id: f.record.id,
        type: f.record.type,
        typeTitle: titleOf(f.type?.title, f.record.type),
        packId: f.record.packId,
        status: f.record.status,
        stage: f.record.stage,
        stageTitle: titleOf(stage, f.record.stage),
        version: f.record.version,
        member: { id: f.record.memberId, name: m?.name ?? null, age: age(f), sex: m?.sex ?? null },
        village: { id: f.record.villageId, code: f.villageCode, name: v?.name ?? null },
        submittedAt: submittedAt(f),
        updatedAt: f.record.updatedAt,
        amount: f.record.amount,
        canAct: canActOn(p, f),
        rev: f.rev,
      };
    }),
    total: list.length,
  };
}

/** The actions the principal may take now (a dry run of each through the shared workflow). */
function actionsFor(p: Principal, f: Loaded): ReviewAction['action'][] {
  if (!f.pack || !canActOn(p, f)) return [];
  const now = new Date().toISOString();
  const tries: ReviewAction[] = [
    { action: 'receive' },
    { action: 'approve', amount: 1 },
    { action: 'return', reason: '-' },
    { action: 'reject', reason: '-' },
    { action: 'pay', paidOn: now.slice(0, 10) },
  ];
  return tries
    .filter((a) => {
      try {
        applyReview(f.pack!, f.record, f.villageCode, actorOf(p), a, now);
        return true;
      } catch (e) {
        if (e instanceof WorkflowError) return e.code === 'invalid';
        throw e;
      }
    })
    .map((a) => a.action);
}

type Payers = Record<string, number>;

export interface Resettlement {
  ok: true;
  packId: string;
  packVersion: string;
  packHash: string;
  claim: { date: string; kind: 'inpatient'; facilityClass: string; total: number; outOfCatalog: number; disease: string | null };
  payers: Payers;
  patient: number;
  priorCount: number;
  priorProblems: { id: string; code: string; detail: string }[];
  assumptions: string[];
  trace: unknown[];
}

/** Whether a ledger row pushed by a tablet has the shape of a settled claim. */
function priorClaimOf(l: Record<string, unknown>): PriorClaim | null {
  if (typeof l.id !== 'string' || typeof l.date !== 'string' || (l.kind !== 'inpatient' && l.kind !== 'outpatient-chronic')) return null;
  if (typeof l.facilityClass !== 'string' || !isFen(l.total) || !isFen(l.outOfCatalog)) return null;
  return { id: l.id, date: l.date, kind: l.kind, facilityClass: l.facilityClass, total: l.total, outOfCatalog: l.outOfCatalog, disease: typeof l.disease === 'string' ? l.disease : null };
}

/**
 * The engine's settlement of the filing's claim on the server: the member's status records and
 * the year's recorded claims (ledger) as the county holds them, the same arithmetic as the tablet.
 */
async function memberRecords(db: Db, f: Loaded): Promise<{ statuses: StatusRecord[]; prior: PriorClaim[] }> {
  const rows = await db.selectFrom('records').select(['entity', 'data']).where('county_code', '=', countyOf(f.villageCode)).where('village_code', '=', f.villageCode).where('entity', 'in', ['status', 'ledger']).where('deleted', '=', 0).execute();
  const statuses: StatusRecord[] = [];
  const prior: PriorClaim[] = [];
  for (const r of rows) {
    const d = JSON.parse(r.data) as Record<string, unknown>;
    if (d.memberId !== f.record.memberId) continue;
    if (r.entity === 'status') statuses.push(d as unknown as StatusRecord);
    else if (d.packId === f.pack?.id) {
      const c = priorClaimOf(d);
      if (c) prior.push(c);
    }
  }
  return { statuses, prior };
}

async function resettle(db: Db, f: Loaded, records: { statuses: StatusRecord[]; prior: PriorClaim[] }): Promise<Resettlement | { ok: false; error: string; errors: Record<string, { code: string; detail: string }> } | null> {
  if (!f.pack || !f.type?.estimate) return null;
  const fields = f.record.content.fields;
  const { statuses, prior } = records;
  const out = estimate(f.pack, historyFromRecords(statuses), prior, {
    date: fields.dischargeDate ?? '',
    kind: 'inpatient',
    disease: '',
    facility: fields.facility ?? '',
    total: fields.total ?? '',
    outOfCatalog: fields.outOfCatalog ?? '',
    outUnknown: false,
  });
  if (!out.ok) {
    const errors = out.errors as Record<string, { code: string; detail: string }>;
    return { ok: false, error: Object.entries(errors).map(([k, e]) => `${k}: ${e.detail}`).join('; '), errors };
  }
  return {
    ok: true,
    packId: f.pack.id,
    packVersion: f.pack.version,
    packHash: f.pack.hash,
    claim: { date: out.claim.date, kind: 'inpatient', facilityClass: f.pack.classes[out.claim.classIndex]!.id, total: out.claim.total, outOfCatalog: out.claim.outOfCatalog, disease: out.claim.disease },
    payers: Object.fromEntries(PAYERS.map((k, i) => [k, out.result.payers[i] ?? 0])),
    patient: out.result.patient,
    priorCount: out.priorCount,
    priorProblems: out.priorProblems,
    assumptions: out.result.assumptions,
    trace: out.result.trace,
  };
}

export interface Gap {
  estimate: number;
  resettled: number;
  /** resettled − estimate, fen. */
  delta: number;
}

/** The tablet's estimate against the server's settlement, per payer and for the patient; null when they agree. */
export function differenceOf(est: { payers: Payers; patient: number } | null, r: { payers: Payers; patient: number } | null): { payers: Record<string, Gap>; patient: Gap | null } | null {
  if (!est || !r) return null;
  const payers: Record<string, Gap> = {};
  for (const k of new Set([...Object.keys(est.payers), ...Object.keys(r.payers)])) {
    const a = est.payers[k] ?? 0;
    const b = r.payers[k] ?? 0;
    if (a !== b) payers[k] = { estimate: a, resettled: b, delta: b - a };
  }
  const patient = est.patient !== r.patient ? { estimate: est.patient, resettled: r.patient, delta: r.patient - est.patient } : null;
  return Object.keys(payers).length || patient ? { payers, patient } : null;
}

async function loadFor(db: Db, p: Principal, id: string): Promise<Loaded> {
  const row = await recordRow(db, p, 'filing', id);
  // Outside the jurisdiction a filing does not exist, as far as the reviewer can tell.
  if (!row || row.deleted || !inJurisdiction(p, row.village_code)) throw notFound(id);
  return loaded(row);
}

/** One filing with everything a reviewer needs to decide: who, the photos' list, the re-settlement, the audit. */
export async function filingDetail(db: Db, p: Principal, id: string) {
  mayReview(p);
  return detailOf(db, p, await loadFor(db, p, id));
}

async function detailOf(db: Db, p: Principal, f: Loaded) {
  const member = (await dataById<Member>(db, p, 'member', [f.record.memberId])).get(f.record.memberId) ?? null;
  const household = (await dataById<Household>(db, p, 'household', [f.record.householdId])).get(f.record.householdId) ?? null;
  const village = (await dataById<Village>(db, p, 'village', [f.record.villageId])).get(f.record.villageId) ?? null;
  const records = await memberRecords(db, f);
  const resettlement = await resettle(db, f, records);
  const est = f.record.content.estimate;
  // What the tablet knew: the member's status on the claim's date and the grant's unmet conditions.
  const filedOn = todayInChina(Date.parse(f.record.versions.at(-1)?.submittedAt ?? '') || Date.now());
  const claimDate = claimDateOf(f.record.content.fields, filedOn);
  const statusOnClaim = f.pack ? { date: claimDate, ...statusOnDate(f.pack, records.statuses, claimDate) } : null;
  const filer = f.record.versions.at(-1)?.by;
  const user = filer ? await db.selectFrom('users').select(['username', 'display_name', 'phone']).where('username', '=', filer).executeTakeFirst() : undefined;
  const filedBy = filer ? { username: filer, displayName: user?.display_name ?? filer, phone: user?.phone ?? null } : null;
  const doubts = f.pack && f.type ? grantDoubts(f.pack, f.type, f.record.content.fields, records.statuses, filedOn) : [];
  const audits = await db.selectFrom('filing_audit').selectAll().where('filing_id', '=', f.record.id).orderBy('at').orderBy('id').execute();
  return {
    filing: f.record,
    rev: f.rev,
    member: member ? { ...member, age: ageOn(member.birthDate, todayInChina()) } : null,
    household,
    village,
    canAct: canActOn(p, f),
    actions: actionsFor(p, f),
    resettlement,
    difference: resettlement?.ok ? differenceOf(est, resettlement) : null,
    statusOnClaim,
    doubts,
    filedBy,
    audit: audits.map((a) => ({
      id: a.id,
      action: a.action,
      stage: a.stage,
      version: a.version,
      userId: a.user_id,
      username: a.username,
      role: a.role,
      deviceId: a.device_id,
      amount: a.amount === null ? null : Number(a.amount),
      reason: a.reason,
      at: a.at,
    })),
  };
}

/** A reviewer's action on a filing, on the revision the reviewer saw; returns the detail after it. */
export async function actOnFiling(db: Db, p: Principal, id: string, body: unknown) {
  mayReview(p);
  const b = isObject(body) ? body : {};
  const ACTIONS = ['receive', 'approve', 'return', 'reject', 'pay'] as const;
  const action = b.action as (typeof ACTIONS)[number];
  if (!ACTIONS.includes(action)) throw new HttpError(400, 'invalid', `action must be one of ${ACTIONS.join(', ')}`, 'action');
  if (!Number.isSafeInteger(b.rev)) throw new HttpError(400, 'invalid', 'rev: the revision the action was decided on is required', 'rev');
  let amount: number | undefined;
  if (b.amount !== undefined && b.amount !== null && b.amount !== '') {
    if (typeof b.amount !== 'string') throw new HttpError(400, 'invalid', 'amount is yuan as text, e.g. "5000.00"', 'amount');
    const parsed = parseAmount(b.amount);
    if (!('fen' in parsed)) throw new HttpError(400, 'invalid', `金额应为元，最多两位小数 (amount: yuan with at most two decimals; ${parsed.problem})`, 'amount');
    amount = parsed.fen;
  }
  for (const k of ['reason', 'paidOn', 'reference'] as const) {
    if (b[k] !== undefined && b[k] !== null && typeof b[k] !== 'string') throw new HttpError(400, 'invalid', `${k} must be text`, k);
  }
  const a: ReviewAction =
    action === 'approve'
      ? { action, ...(amount !== undefined ? { amount } : {}) }
      : action === 'return' || action === 'reject'
        ? { action, reason: (b.reason as string | undefined) ?? '' }
        : action === 'pay'
          ? { action, paidOn: (b.paidOn as string | undefined) ?? '', ...(typeof b.reference === 'string' && b.reference.trim() !== '' ? { reference: b.reference } : {}) }
          : { action };

  const f = await loadFor(db, p, id);
  const stale = () => new HttpError(409, 'stale', `申请已被他人处理，请刷新后再试 (the filing changed since revision ${String(b.rev)})`, 'rev', { rev: f.rev });
  if (f.rev !== b.rev) throw stale();
  if (!f.pack) throw new HttpError(500, 'internal', `the filing's policy pack ${f.record.packId} is not on the server`);
  const now = new Date().toISOString();
  let next: FilingRecord;
  try {
    next = applyReview(f.pack, f.record, f.villageCode, actorOf(p), a, now);
  } catch (e) {
    if (!(e instanceof WorkflowError)) throw e;
    if (e.code === 'forbidden') throw new HttpError(403, 'forbidden', e.message);
    if (e.code === 'wrong-status') throw new HttpError(409, 'wrong-status', e.message);
    throw new HttpError(400, 'invalid', e.message, e.field);
  }
  const rev = f.rev + 1;
  const written = await db.transaction().execute(async (trx) => {
    const seq = await nextSeq(trx, 1);
    const r = await trx
      .updateTable('records')
      .set({ data: JSON.stringify(next), rev, seq, updated_at: now })
      .where('entity', '=', 'filing')
      .where('id', '=', id)
      .where('county_code', '=', countyOf(f.villageCode))
      .where('rev', '=', f.rev)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await audit(trx, p, id, next.events.at(-1)!);
    return true;
  });
  if (!written) throw stale();
  return detailOf(db, p, { ...f, record: next, rev });
}

/** A photo of a household visit, for a user whose jurisdiction covers the visit and only if the visit names it. */
export async function visitPhoto(db: Db, p: Principal, id: string, sha: string): Promise<{ mime: string; data: Buffer }> {
  const row = await recordRow(db, p, 'visit', id);
  if (!row || row.deleted || !inJurisdiction(p, row.village_code)) throw new HttpError(404, 'not-found', `没有这次走访 (no visit ${id})`);
  const photos = ((JSON.parse(row.data) as { photos?: { sha256: string }[] }).photos ?? []).map((x) => x.sha256);
  if (!photos.includes(sha)) throw new HttpError(404, 'not-found', `visit ${id} names no photo ${sha}`);
  const u = await db.selectFrom('uploads').select(['mime', 'data', 'complete']).where('sha256', '=', sha).executeTakeFirst();
  if (!u || u.complete !== 1) throw new HttpError(404, 'not-found', `photo ${sha} is not on the server`);
  return { mime: u.mime, data: Buffer.from(u.data) };
}

/** A photo of a filing, for a user whose jurisdiction covers the filing and only if some version names it. */
export async function filingDocument(db: Db, p: Principal, id: string, sha: string): Promise<{ mime: string; data: Buffer }> {
  const row = await recordRow(db, p, 'filing', id);
  if (!row || row.deleted || !inJurisdiction(p, row.village_code)) throw notFound(id);
  const record = JSON.parse(row.data) as FilingRecord;
  const named = [record.content, ...record.versions.map((v) => v.content)].some((c) => c.documents.some((d) => d.sha256 === sha));
  if (!named) throw new HttpError(404, 'not-found', `filing ${id} names no photo ${sha}`);
  const u = await db.selectFrom('uploads').select(['mime', 'data', 'complete']).where('sha256', '=', sha).executeTakeFirst();
  if (!u || u.complete !== 1) throw new HttpError(404, 'not-found', `photo ${sha} is not on the server`);
  return { mime: u.mime, data: Buffer.from(u.data) };
}
