/**
 * The server suite runs against both backends: SQLite in a fresh temporary folder, and PostgreSQL
 * (DATABASE_URL_TEST, default postgres://postgres@127.0.0.1:5432/test) in a fresh schema. Locally,
 * without PostgreSQL, its half is skipped with a printed notice; in CI it must run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDb, type ServerDb } from '../../src/server/db.ts';

export const PG_URL = process.env.DATABASE_URL_TEST ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function postgresAvailable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2_000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

export const PG_PRESENT = await postgresAvailable();
if (!PG_PRESENT) {
  if (process.env.CI) throw new Error(`PostgreSQL is required in CI for the server suite (${PG_URL})`);
  console.log(`notice: PostgreSQL is not reachable at ${PG_URL}; the PostgreSQL half of the server suite is skipped`);
}

export type Backend = 'sqlite' | 'postgres';
export const BACKENDS: Backend[] = PG_PRESENT ? ['sqlite', 'postgres'] : ['sqlite'];

/**
 * A fresh, empty, migrated database of that backend, and a way to drop it; migrated only up to
 * `upTo` (a migration's name) for the test of the migration after it.
 */
export async function freshDb(backend: Backend, upTo?: string): Promise<ServerDb & { drop(): Promise<void>; url?: string }> {
  if (backend === 'sqlite') {
    const db = await openDb({ dataDir: mkdtempSync(join(tmpdir(), 'cunyi-server-')), ...(upTo ? { upTo } : {}) });
    return { ...db, drop: () => db.close() };
  }
  const schema = `t_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const db = await openDb({ databaseUrl: url, ...(upTo ? { upTo } : {}) });
  return {
    ...db,
    url,
    drop: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

/**
 * Sign-in limits for suites that sign in far more often than a person would (the limits themselves
 * are tested in accounts.test.ts with their defaults and with small ones).
 */
export const MANY_LOGINS = {
  perAddress: { max: 100_000, windowMs: 60_000 },
  perUsername: { max: 100_000, windowMs: 60_000 },
  lockout: { failures: 100_000, windowMs: 60_000, lockMs: 60_000 },
};
