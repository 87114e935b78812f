/**
 * Housekeeping the server does by itself, at start and then every few hours (on a timer that
 * never keeps the process alive): partial photo uploads a tablet abandoned, sessions long past
 * their expiry, and failed sign-ins old enough to be forgotten.
 */
import type { Kysely } from 'kysely';
import type { Tables } from './db.ts';
import { sweepPartialUploads } from './filings.ts';

export interface MaintenanceOptions {
  /** Partial uploads untouched this long are removed. */
  partialMaxAgeMs: number;
  /** How often the sweep runs after the one at start. */
  everyMs: number;
  /** Failed sign-ins older than this (and no lock in force) are forgotten. */
  failuresMaxAgeMs: number;
}

/** Sessions are kept this long after they expire, so an old token still answers why it ended. */
const SESSIONS_KEPT_MS = 30 * 86_400_000;

export interface SweepResult {
  partialUploads: number;
  sessions: number;
  failedSignIns: number;
}

export async function sweep(db: Kysely<Tables>, opts: Pick<MaintenanceOptions, 'partialMaxAgeMs' | 'failuresMaxAgeMs'>, now = Date.now()): Promise<SweepResult> {
  const iso = (ms: number) => new Date(ms).toISOString();
  const partialUploads = await sweepPartialUploads(db, iso(now - opts.partialMaxAgeMs));
  const s = await db.deleteFrom('sessions').where('expires_at', '<', iso(now - SESSIONS_KEPT_MS)).executeTakeFirst();
  const f = await db
    .deleteFrom('login_throttle')
    .where('last_failed_at', '<', iso(now - opts.failuresMaxAgeMs))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', iso(now))]))
    .executeTakeFirst();
  return { partialUploads, sessions: Number(s.numDeletedRows), failedSignIns: Number(f.numDeletedRows) };
}

/** Runs the sweep now and every `everyMs`. A failed run is logged by kind and tried at the next. */
export function startMaintenance(db: Kysely<Tables>, opts: MaintenanceOptions, log: (msg: string, detail: Record<string, unknown>) => void): { first: Promise<void>; stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = sweep(db, opts).then(
      (r) => {
        if (r.partialUploads || r.sessions || r.failedSignIns) log('housekeeping', { ...r });
      },
      (e: unknown) => log('housekeeping failed', { kind: (e as Error)?.name, code: (e as { code?: unknown })?.code }),
    );
    return running;
  };
  const first = run();
  const timer = setInterval(() => void run(), opts.everyMs);
  timer.unref();
  return {
    first,
    /** Stops the timer; resolves when a run under way has finished. */
    stop() {
      clearInterval(timer);
      return running;
    },
  };
}
