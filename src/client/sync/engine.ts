/**
 * The tablet's sync: push the outbox, then pull what changed in the user's villages. One sender
 * per device (Web Locks across tabs). Pulled rows and the new checkpoint are written in one
 * transaction; a pulled record with edits still waiting in the outbox keeps those edits on top.
 */
import { checkPulled } from '../../model/records.ts';
import type { Entity, Mutation, PulledRecord } from '../../model/sync.ts';
import { ulid } from '../../model/ulid.ts';
import { db, outboxListeners, type CunyiDb, type HouseholdRow, type MemberRow, type OutboxRow } from '../db/schema.ts';
import { clearFieldsOf, presealRows } from '../db/seal.ts';
import { householdSearchKeys, memberSearchKeys, searchKeysReady } from '../db/search-keys.ts';
import { setSyncing } from '../pwa/busy-store.ts';
import { api, ApiError, OfflineError } from './api.ts';
import { requestBackgroundSync } from './background.ts';
import { settleSubmission } from '../db/filings.ts';
import type { FilingContent } from '../../model/filing.ts';
import { uploadDocuments, uploadPhotos, UploadRefused } from './uploads.ts';
import { deviceId, getSession, getSyncState, isReviewer, patchSyncState } from './session.ts';
import { wiped } from './wipe.ts';

const TABLE: Record<Entity, keyof CunyiDb & string> = {
  village: 'villages',
  household: 'households',
  member: 'members',
  status: 'statuses',
  enrolment: 'enrolments',
  visit: 'visits',
  ledger: 'ledger',
  filing: 'filings',
  followup: 'followups',
  contract: 'contracts',
};

const pending = (o: OutboxRow) => o.state === undefined;

function withKeys(entity: Entity, row: Record<string, unknown>): Record<string, unknown> {
  if (entity === 'member') return { ...row, search: memberSearchKeys(row as unknown as MemberRow) };
  if (entity === 'household') return { ...row, search: householdSearchKeys(row as unknown as HouseholdRow) };
  return row;
}

/** A pulled record that failed its schema: not written, kept out of the way, and shown in the sync status. */
export interface SetAsideRecord {
  entity: string;
  id: string;
  seq: number | null;
  /** The offending field (`data.idNumber`) and what is wrong with it. */
  path: string;
  message: string;
  at: string;
}

export interface SetAside {
  /** The most recent ones (at most SET_ASIDE_KEPT), one per record. */
  items: SetAsideRecord[];
}

export const SET_ASIDE_KEPT = 200;

export async function getSetAside(d: CunyiDb = db()): Promise<SetAside> {
  return ((await d.meta.get('setAside'))?.value as SetAside | undefined) ?? { items: [] };
}

const short = (x: unknown) => (typeof x === 'string' ? x.slice(0, 64) : '');

/**
 * A page of pulled records made ready to write, before its transaction opens: every record checked
 * against its schema, the rows built with their search keys and, in a sealed store, sealed with
 * Web Crypto (db/seal.ts presealRows: off the main thread, and the same bytes as the middleware's).
 * Nothing here reads the store, so a page can be prepared while the one before it is written.
 */
export interface PreparedPage {
  records: PulledRecord[];
  bad: SetAsideRecord[];
  /** By record (`entity:id`): its row as stored when nothing on this tablet changes it (sealed in a sealed store). */
  rows: Map<string, Record<string, unknown>>;
  checkpoint: number;
}

export async function preparePulled(pulled: readonly unknown[], checkpoint: number, d: CunyiDb = db()): Promise<PreparedPage> {
  await searchKeysReady();
  const at = new Date().toISOString();
  const records: PulledRecord[] = [];
  const bad: SetAsideRecord[] = [];
  for (const raw of pulled) {
    const problem = checkPulled(raw);
    const r = raw as Partial<PulledRecord> | null;
    if (problem) bad.push({ entity: short(r?.entity), id: short(r?.id), seq: typeof r?.seq === 'number' ? r.seq : null, path: problem.path, message: problem.message, at });
    else records.push(raw as PulledRecord);
  }
  // Filings keep this tablet's own state (read in the transaction), so they are built there.
  const byTable = new Map<string, { keys: string[]; rows: Record<string, unknown>[] }>();
  for (const r of records) {
    if (r.deleted || r.data === null || r.entity === 'filing') continue;
    const name = TABLE[r.entity];
    const t = byTable.get(name) ?? { keys: [], rows: [] };
    t.keys.push(`${r.entity}:${r.id}`);
    t.rows.push(withKeys(r.entity, { ...r.data, rev: r.rev }));
    byTable.set(name, t);
  }
  const key = await d.photoKey();
  const rows = new Map<string, Record<string, unknown>>();
  await Promise.all(
    [...byTable].map(async ([name, t]) => {
      let ready = t.rows;
      if (key) {
        const table = d.table(name);
        ready = await presealRows(key, t.rows, clearFieldsOf(table.schema.primKey.keyPath, table.schema.indexes.map((i) => i.keyPath)));
      }
      ready.forEach((row, i) => rows.set(t.keys[i]!, row));
    }),
  );
  return { records, bad, rows, checkpoint };
}

/**
 * Writes a prepared page and its checkpoint in one transaction, one bulk write per table. A record
 * with edits still waiting in the outbox, deleted here and not yet at the county, or a filing, is
 * built again from the county's data in the transaction (the middleware seals it); every other row
 * goes as prepared. Returns how many records were set aside.
 */
export async function writePulled(page: PreparedPage, d: CunyiDb = db()): Promise<number> {
  const { records, bad, rows, checkpoint } = page;
  const tables = [...new Set(records.map((r) => TABLE[r.entity]))].map((n) => d.table(n));
  await d.transaction('rw', [...tables, d.outbox, d.meta], async () => {
    const queued = (await d.outbox.toArray()).filter((o) => o.entity !== 'filing' && (pending(o) || o.op === 'delete'));
    const waiting = queued.filter((o) => pending(o) && o.op === 'update');
    // A record deleted here and not yet deleted at the county (waiting, or refused to settle) stays deleted here.
    const deletedHere = new Set(queued.filter((o) => o.op === 'delete').map((o) => `${o.entity}:${o.entityId}`));
    const aside = await getSetAside(d);
    // A record that arrives valid again is no longer set aside; the newest problem of a record replaces its older one.
    const fixed = new Set(records.map((r) => `${r.entity}:${r.id}`));
    const renewed = new Set(bad.map((b) => `${b.entity}:${b.id}`));
    const items = [...aside.items.filter((i) => !fixed.has(`${i.entity}:${i.id}`) && !renewed.has(`${i.entity}:${i.id}`)), ...bad].slice(-SET_ASIDE_KEPT);
    if (items.length !== aside.items.length || bad.length) await d.meta.put({ key: 'setAside', value: { items } satisfies SetAside });
    // Edits still waiting, by record, in the order they were made: they stay on top of what the county sends.
    const edits = new Map<string, Record<string, unknown>[]>();
    for (const o of waiting) edits.set(o.entityId, [...(edits.get(o.entityId) ?? []), o.data]);
    // A record appears once in a page (one sequence number each), so each table takes one bulk write.
    const puts = new Map<string, Record<string, unknown>[]>();
    const deletes = new Map<string, string[]>();
    const filings = records.filter((r) => r.entity === 'filing' && !r.deleted && r.data !== null);
    const mineById = new Map<string, { local?: unknown; rev?: number }>();
    if (filings.length) {
      const mine = (await d.filings.bulkGet(filings.map((r) => r.id))) as ({ id: string; local?: unknown; rev?: number } | undefined)[];
      for (const f of mine) if (f) mineById.set(f.id, f);
    }
    for (const r of records) {
      const name = TABLE[r.entity];
      if (r.deleted || r.data === null) {
        deletes.set(name, [...(deletes.get(name) ?? []), r.id]);
        continue;
      }
      const key = `${r.entity}:${r.id}`;
      if (deletedHere.has(key)) continue;
      let row = edits.has(r.id) ? undefined : rows.get(key);
      if (!row) {
        row = { ...r.data, rev: r.rev };
        for (const data of edits.get(r.id) ?? []) row = { ...row, ...data };
        if (r.entity === 'filing') {
          // The county's record, with this tablet's own state (a correction being edited, a queued resubmission) kept.
          const mine = mineById.get(r.id);
          if (mine && (mine.rev ?? 0) > r.rev) continue;
          if (mine?.local) row.local = mine.local;
        }
        row = withKeys(r.entity, row);
      }
      const list = puts.get(name) ?? [];
      list.push(row);
      puts.set(name, list);
    }
    for (const [name, ids] of deletes) await d.table(name).bulkDelete(ids);
    for (const [name, list] of puts) await d.table(name).bulkPut(list);
    const state = ((await d.meta.get('sync'))?.value ?? {}) as Record<string, unknown>;
    await d.meta.put({ key: 'sync', value: { ...state, checkpoint } });
  });
  return bad.length;
}

/**
 * Writes a batch of pulled records and the checkpoint in one transaction. Each record is checked
 * against its schema (src/model/records.ts) first: one that fails is set aside (the tablet keeps
 * what it had, the problem is listed in the sync status) and the checkpoint moves on, so a bad
 * record on the server never stops a download. Returns how many were set aside.
 */
export async function applyPulled(pulled: readonly unknown[], checkpoint: number, d: CunyiDb = db()): Promise<number> {
  return writePulled(await preparePulled(pulled, checkpoint, d), d);
}

export interface SyncOutcome {
  /** The county no longer serves this version: the outbox was flushed, then the app must update. */
  updateRequired?: boolean;
  pushed: number;
  pulled: number;
  conflicts: number;
  rejected: number;
  /** Pulled records that failed their schema and were set aside. */
  setAside: number;
  /** Photos uploaded. */
  photos: number;
  error: string | null;
}

/** A visit that names photos (they go to the county just before it). */
const withPhotos = (o: OutboxRow): boolean => o.entity === 'visit' && o.op !== 'delete' && Array.isArray((o.data as { photos?: unknown } | null)?.photos) && ((o.data as { photos: unknown[] }).photos.length > 0);

/**
 * The next batch to push, in outbox order: roster changes up to the next filing, or one filing on
 * its own after its photos are uploaded, so that each filing is submitted as soon as its own photos
 * are on the county (not after every photo in the queue). A photo the county refuses for good puts
 * its filing back to editing with the reason (nothing lost) and drops the submission.
 */
async function nextBatch(token: string, d: CunyiDb, out: SyncOutcome): Promise<OutboxRow[] | null> {
  const waiting = (await d.outbox.orderBy('seq').toArray()).filter(pending).slice(0, 100);
  if (waiting.length === 0) return null;
  const first = waiting[0]!;
  if (withPhotos(first)) {
    // A household visit with photos: its photos first, then the visit on its own. A photo the
    // county refuses for good sets the visit aside with the reason, listed to settle (nothing lost).
    try {
      out.photos += await uploadPhotos(token, (first.data as { photos: { sha256: string; mime: string }[] }).photos, d);
    } catch (e) {
      if (!(e instanceof UploadRefused)) throw e;
      await d.outbox.update(first.seq!, { state: 'rejected', result: { code: e.code, message: e.message, path: 'photos', at: new Date().toISOString() } });
      out.rejected++;
      return [];
    }
    return [first];
  }
  if (first.entity !== 'filing' || (first.op !== 'create' && first.op !== 'update')) {
    const end = waiting.findIndex((o, i) => i > 0 && (o.entity === 'filing' || withPhotos(o)));
    return end < 0 ? waiting : waiting.slice(0, end);
  }
  try {
    out.photos += await uploadDocuments(token, (first.data as { content: FilingContent }).content, d);
  } catch (e) {
    if (!(e instanceof UploadRefused)) throw e;
    await d.transaction('rw', [d.outbox, d.filings, d.audit], async () => {
      await settleSubmission(d, first.entityId, first.op as 'create' | 'update', first.data, { applied: false, code: e.code, message: `${e.kind}: ${e.message}` });
      await d.outbox.delete(first.seq!);
    });
    out.rejected++;
    return [];
  }
  return [first];
}

/** Pushes every waiting outbox row, in order, in batches (a filing's photos go just before it). */
async function pushAll(token: string, device: string, d: CunyiDb, out: SyncOutcome): Promise<void> {
  for (;;) {
    const batch = await nextBatch(token, d, out);
    if (batch === null) return;
    if (batch.length === 0) continue;
    const mutations: Mutation[] = batch.map((o) => ({ id: o.id, entity: o.entity, entityId: o.entityId, op: o.op, baseRev: o.baseRev, data: o.data, createdAt: o.createdAt }));
    const { results, updateRequired } = await api.push(token, device, mutations);
    if (updateRequired) out.updateRequired = true;
    const at = new Date().toISOString();
    await d.transaction('rw', [d.outbox, d.households, d.members, d.statuses, d.enrolments, d.visits, d.followups, d.contracts, d.ledger, d.filings, d.attachments, d.audit], async () => {
      for (const [i, r] of results.entries()) {
        const o = batch[i]!;
        if (o.entity === 'filing') {
          // A filing's answer is written on the filing itself: submitted, or back to editing with the reason.
          await settleSubmission(d, o.entityId, o.op === 'update' ? 'update' : 'create', o.data, r.status === 'rejected' ? { applied: false, code: r.code, message: r.message } : { applied: true, rev: r.rev });
          await d.outbox.delete(o.seq!);
          if (r.status === 'rejected') out.rejected++;
          else out.pushed++;
          continue;
        }
        if (r.status === 'applied') {
          await d.outbox.delete(o.seq!);
          // The county's revision, the base of the next edit of the record (a deleted one is gone).
          if (o.op !== 'delete') await d.table(TABLE[o.entity]).update(o.entityId, { rev: r.rev });
          out.pushed++;
        } else if (r.status === 'conflict') {
          await d.outbox.update(o.seq!, { state: 'conflict', result: { conflicts: r.conflicts, at } });
          out.conflicts++;
        } else {
          await d.outbox.update(o.seq!, { state: 'rejected', result: { code: r.code, message: r.message, ...(r.path ? { path: r.path } : {}), at } });
          out.rejected++;
        }
      }
    });
  }
}

/**
 * Records a pull asks for at once (the county serves at most 10,000): a first download of a
 * 100,000-member county is some thirty pages, each one transaction, rather than 150 of 2,000.
 */
export const PULL_PAGE = 10_000;

/**
 * User-timing entries of each page of a download (fetched and parsed, prepared, written), which
 * npm run bench:download reads; cleared when a download starts, so they never pile up.
 */
const MEASURES = ['cunyi:pull-fetch', 'cunyi:pull-prepare', 'cunyi:pull-write'] as const;
const measure = (name: (typeof MEASURES)[number], start: number) => performance.measure(name, { start });

/**
 * Pulls until nothing is left; `onProgress(received, remaining)` drives the first download's bar.
 * Pipelined: while one page is written, the next is fetched, parsed, checked and sealed, so the
 * line, the main thread and IndexedDB work at the same time. Each page is still written with its
 * checkpoint in one transaction, in order, so a download cut off anywhere resumes from the last
 * page stored. `pageSize` is for tests.
 */
export async function pullAll(token: string, d: CunyiDb, onProgress?: (received: number, remaining: number) => void, out?: SyncOutcome, pageSize = PULL_PAGE): Promise<number> {
  for (const m of MEASURES) performance.clearMeasures(m);
  let { checkpoint } = await getSyncState(d);
  let received = 0;
  // What is left is counted once, on the first page; after that the bar counts down from it.
  let total: number | null = null;
  const fetchPage = async (since: number, count: boolean) => {
    const t0 = performance.now();
    const r = await api.pull(token, since, pageSize, count);
    if (!r || !Array.isArray(r.records) || !Number.isSafeInteger(r.checkpoint) || r.checkpoint < since) throw new ApiError(502, 'bad-answer', 'the county server answered the pull with something else than records');
    measure('cunyi:pull-fetch', t0);
    const t1 = performance.now();
    const page = await preparePulled(r.records, r.checkpoint, d);
    measure('cunyi:pull-prepare', t1);
    return { page, received: r.records.length, remaining: Number(r.remaining) };
  };
  let next = fetchPage(checkpoint, true);
  for (;;) {
    const r = await next;
    const last = r.remaining === 0 || r.received === 0;
    if (!last) {
      next = fetchPage(r.page.checkpoint, false);
      // Settled when awaited on the next turn; a failure while this page is written must not go unhandled.
      next.catch(() => {});
    }
    const t0 = performance.now();
    const aside = await writePulled(r.page, d);
    measure('cunyi:pull-write', t0);
    if (out) out.setAside += aside;
    received += r.received;
    checkpoint = r.page.checkpoint;
    if (total === null && r.remaining >= 0) total = received + r.remaining;
    if (last) {
      onProgress?.(received, 0);
      return received;
    }
    onProgress?.(received, r.remaining > 0 ? r.remaining : Math.max(1, (total ?? received) - received));
  }
}

async function runOnce(d: CunyiDb, onProgress?: (received: number, remaining: number) => void): Promise<SyncOutcome> {
  const out: SyncOutcome = { pushed: 0, pulled: 0, conflicts: 0, rejected: 0, setAside: 0, photos: 0, error: null };
  const session = await getSession(d);
  if (!session) return { ...out, error: 'not-signed-in' };
  setSyncing(true);
  await patchSyncState({ lastAttempt: new Date().toISOString() }, d);
  try {
    await pushAll(session.token, await deviceId(d), d, out);
    if (out.updateRequired) throw new ApiError(426, 'client-too-old', 'update the app');
    if (!isReviewer(session.role)) out.pulled = await pullAll(session.token, d, onProgress, out);
    await patchSyncState({ lastSuccess: new Date().toISOString(), lastError: null, downloaded: true }, d);
  } catch (e) {
    out.error = e instanceof OfflineError ? 'offline' : e instanceof ApiError ? e.code : (e as Error).message;
    // A revoked device or a disabled user: the profile is wiped (its store is gone, nothing to note in it).
    if (e instanceof ApiError && (await wiped(e.code))) return out;
    await patchSyncState({ lastError: out.error }, d);
  } finally {
    setSyncing(false);
  }
  return out;
}

/** Runs a sync unless another tab of this device is already running one. */
export async function syncNow(onProgress?: (received: number, remaining: number) => void, d: CunyiDb = db()): Promise<SyncOutcome | null> {
  if (typeof navigator !== 'undefined' && navigator.locks) {
    return navigator.locks.request('cunyi-sync', { ifAvailable: true }, async (lock) => (lock ? runOnce(d, onProgress) : null));
  }
  return runOnce(d, onProgress);
}

let timer: number | undefined;
/** A sync in a few seconds (changes made in a burst go together). */
export function syncSoon(): void {
  if (typeof window === 'undefined') return;
  window.clearTimeout(timer);
  timer = window.setTimeout(() => void syncNow(), 3_000);
}

/**
 * When to sync the open profile: when it is opened, on reconnect, shortly after each local change,
 * and every five minutes (profiles/store.ts calls syncSoon on opening).
 */
export function startSyncTriggers(): void {
  window.addEventListener('online', syncSoon);
  outboxListeners.add(() => {
    syncSoon();
    requestBackgroundSync();
  });
  window.setInterval(() => void syncNow(), 5 * 60_000);
}

/**
 * Settles a conflict the county reported: "mine" sends this tablet's values again on the county's
 * current revision (the doctor has seen both, so it applies); "county" keeps the county's values,
 * which the last pull already brought.
 */
export async function resolveConflict(outboxId: string, keep: 'mine' | 'county', d: CunyiDb = db()): Promise<void> {
  await searchKeysReady();
  await d.transaction('rw', [d.outbox, d.households, d.members], async () => {
    const o = await d.outbox.where('id').equals(outboxId).first();
    if (!o || o.state !== 'conflict') return;
    if (keep === 'mine' && o.result?.conflicts) {
      const table = o.entity === 'household' ? d.households : o.entity === 'member' ? d.members : null;
      const current = table ? await table.get(o.entityId) : undefined;
      const data = Object.fromEntries(o.result.conflicts.map((c) => [c.field, c.client]));
      if (table && current) await d.table(TABLE[o.entity]).put(withKeys(o.entity, { ...current, ...data }));
      await d.outbox.add({ id: ulid(), createdAt: new Date().toISOString(), entity: o.entity, entityId: o.entityId, op: 'update', baseRev: current?.rev ?? null, data });
    }
    await d.outbox.delete(o.seq!);
  });
}
