/**
 * The county server's database through Kysely: embedded SQLite under DATA_DIR by default (WAL,
 * synchronous=FULL, so an acknowledged write survives a power cut), PostgreSQL when DATABASE_URL
 * is set. The same migrations and queries serve both.
 */
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect, sql, type DatabaseConnection, type Generated, type Migration, type MigrationProvider, type Selectable, type Transaction } from 'kysely';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { ulid } from '../model/ulid.ts';
import { importsMigration } from './migrations/imports.ts';
import { adminAuditMigration } from './migrations/admin-audit.ts';
import { COUNTY, countyMigration, countyPartitionSql } from './migrations/county.ts';

export interface Tables {
  /** `phone`: the staff member's own number, shown to reviewers beside what the member filed (null: none given). */
  users: { id: string; username: string; display_name: string; role: string; password_hash: string; created_at: string; disabled: number; phone: string | null };
  user_areas: { user_id: string; area_code: string };
  /** `user_id`: who registered the device (its first sign-in); who else used it is in `device_users`. */
  devices: { id: string; user_id: string; name: string; registered_at: string; last_seen_at: string; revoked_at: string | null };
  /** Every user who signed in on a device: first and last sign-in there. */
  device_users: { device_id: string; user_id: string; first_at: string; last_at: string };
  /**
   * A session ended early (`ended_at`) stays until it would have expired, so that its token still
   * answers why it no longer works: `device-revoked`, `user-disabled` or `password-reset`.
   */
  sessions: { token_hash: string; user_id: string; device_id: string; created_at: string; expires_at: string; ended_at: string | null; ended_reason: string | null };
  /**
   * The recovery key of each (user, device): 32 random bytes as base64url, made at the first
   * `GET /api/device-key`. The tablet wraps its profile's data key with it besides the PIN, so a
   * forgotten PIN is recovered by signing in online; the rows go when the device is revoked or the
   * user disabled, so a lost tablet's data cannot be recovered afterwards, not even with the password.
   */
  device_keys: { user_id: string; device_id: string; key: string; created_at: string };
  /** Failed sign-ins per username (also for names no account has), and the lockout they led to. */
  login_throttle: { username: string; failures: number; last_failed_at: string; locked_until: string | null };
  /**
   * Every synced record. `county_code` is the first 6 digits of `village_code` (0010): the key every
   * read is scoped by and, on PostgreSQL, the partition; a writer that leaves it out is a tool of
   * before 0010 (hence Generated: the app's own writers always name it).
   */
  records: {
    entity: string;
    id: string;
    village_code: string;
    county_code: Generated<string>;
    data: string;
    rev: number;
    field_revs: string;
    seq: number | string;
    deleted: number;
    updated_at: string;
  };
  counters: { name: string; value: number | string };
  /** `content_hash`: SHA-256 of the mutation as first received (null for rows from before 0003). */
  applied_mutations: { device_id: string; mutation_id: string; result: string; applied_at: string; content_hash: string | null };
  /** Who changed which record, when, from which device, and which fields (every applied write). */
  record_changes: {
    id: string;
    /** The county of the record changed (0010). */
    county_code: Generated<string>;
    entity: string;
    entity_id: string;
    rev: number;
    op: string;
    fields: string;
    user_id: string;
    username: string;
    role: string;
    device_id: string;
    mutation_id: string | null;
    at: string;
  };
  conflicts: {
    id: string;
    entity: string;
    entity_id: string;
    field: string;
    server_value: string;
    client_value: string;
    device_id: string;
    mutation_id: string;
    created_at: string;
    resolved_at: string | null;
  };
  /** Photos of filings, content-addressed and complete (since 0004 the partial ones are in `upload_parts`). */
  uploads: {
    sha256: string;
    size: number;
    mime: string;
    received: number;
    data: Buffer;
    complete: number;
    uploaded_by: string;
    created_at: string;
    updated_at: string;
  };
  /** A photo on its way from one device: `data` grows chunk by chunk; moved to `uploads` when verified. */
  upload_parts: {
    sha256: string;
    device_id: string;
    user_id: string;
    size: number;
    mime: string;
    received: number;
    data: Buffer;
    created_at: string;
    updated_at: string;
  };
  /** The devices that sent a photo whole (and so hold it): only those may name it in a filing. */
  upload_owners: { sha256: string; device_id: string; user_id: string; at: string };
  /** Every submission and review action on a filing: who, with which role, on which device, when. */
  filing_audit: {
    id: string;
    filing_id: string;
    action: string;
    stage: string | null;
    version: number;
    user_id: string;
    username: string;
    role: string;
    device_id: string;
    /** Fen (PostgreSQL returns bigint as text). */
    amount: number | string | null;
    reason: string | null;
    at: string;
  };
}

export interface ServerDb {
  backend: 'sqlite' | 'postgres';
  /** Where the data lives (a file path, or the PostgreSQL URL without its password). */
  location: string;
  db: Kysely<Tables>;
  close(): Promise<void>;
}

const MIGRATIONS: Record<string, Migration> = {
  '0001-accounts-records-sync': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('user_areas')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('area_code', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('user_areas_pk', ['user_id', 'area_code'])
        .execute();
      await db.schema
        .createTable('devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('registered_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('records')
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('village_code', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('rev', 'integer', (c) => c.notNull())
        .addColumn('field_revs', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('records_pk', ['entity', 'id'])
        .execute();
      await db.schema.createIndex('records_seq').on('records').column('seq').unique().execute();
      await db.schema.createIndex('records_village_seq').on('records').columns(['village_code', 'seq']).execute();
      await db.schema
        .createTable('counters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute();
      await db.insertInto('counters').values({ name: 'seq', value: 0 }).execute();
      await db.schema
        .createTable('applied_mutations')
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('mutation_id', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('applied_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('applied_mutations_pk', ['device_id', 'mutation_id'])
        .execute();
      await db.schema
        .createTable('conflicts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('field', 'text', (c) => c.notNull())
        .addColumn('server_value', 'text', (c) => c.notNull())
        .addColumn('client_value', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('mutation_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('resolved_at', 'text')
        .execute();
    },
  },
};

/** Proxy filing: photos uploaded in chunks, and the audit of every submission and review action. */
function filingsMigration(backend: Backend): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('uploads')
        .addColumn('sha256', 'text', (c) => c.primaryKey())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('received', 'integer', (c) => c.notNull())
        .addColumn('data', backend === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
        .addColumn('complete', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('uploaded_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('filing_audit')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('filing_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('stage', 'text')
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('amount', 'bigint')
        .addColumn('reason', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('filing_audit_filing').on('filing_audit').column('filing_id').execute();
    },
  };
}

export type Backend = ServerDb['backend'];

/** Integrity: the content hash of each applied mutation (a reused id is refused), and who changed each record. */
const integrityMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('applied_mutations').addColumn('content_hash', 'text').execute();
    await db.schema
      .createTable('record_changes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('entity', 'text', (c) => c.notNull())
      .addColumn('entity_id', 'text', (c) => c.notNull())
      .addColumn('rev', 'integer', (c) => c.notNull())
      .addColumn('op', 'text', (c) => c.notNull())
      .addColumn('fields', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('mutation_id', 'text')
      .addColumn('at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('record_changes_record').on('record_changes').columns(['entity', 'entity_id', 'rev']).execute();
  },
};

/**
 * Hardening: several users on one device (`device_users`, filled from each device's registrant),
 * sessions ended with a reason, failed sign-ins and lockouts that survive a restart, and photo
 * uploads kept per device while partial (`upload_parts`) with the devices that sent each photo
 * whole (`upload_owners`, filled from the uploader's devices). Partial uploads from before are
 * dropped: their tablets find nothing at the server and send those photos again from the start.
 */
function hardeningMigration(backend: Backend): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('device_users')
        .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('first_at', 'text', (c) => c.notNull())
        .addColumn('last_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('device_users_pk', ['device_id', 'user_id'])
        .execute();
      await db.schema.createIndex('device_users_user').on('device_users').column('user_id').execute();
      await sql`insert into device_users (device_id, user_id, first_at, last_at) select id, user_id, registered_at, last_seen_at from devices`.execute(db);
      await db.schema.alterTable('sessions').addColumn('ended_at', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('ended_reason', 'text').execute();
      await db.schema.createIndex('sessions_device').on('sessions').column('device_id').execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
      await db.schema
        .createTable('login_throttle')
        .addColumn('username', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('last_failed_at', 'text', (c) => c.notNull())
        .addColumn('locked_until', 'text')
        .execute();
      await db.schema
        .createTable('upload_parts')
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('received', 'integer', (c) => c.notNull())
        .addColumn('data', backend === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('upload_parts_pk', ['sha256', 'device_id'])
        .execute();
      await db.schema.createIndex('upload_parts_device').on('upload_parts').column('device_id').execute();
      await db.schema.createIndex('upload_parts_updated').on('upload_parts').column('updated_at').execute();
      await db.schema
        .createTable('upload_owners')
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('upload_owners_pk', ['sha256', 'device_id'])
        .execute();
      await sql`delete from uploads where complete = 0`.execute(db);
      await sql`insert into upload_owners (sha256, device_id, user_id, at) select u.sha256, d.id, u.uploaded_by, u.updated_at from uploads u join devices d on d.user_id = u.uploaded_by`.execute(db);
    },
  };
}

/**
 * Recovery keys per (user, device) (`device_keys`). The key is text (base64url, as the tablet
 * receives it) on both backends: it is read and sent whole, never compared or sliced as bytes.
 */
const deviceKeysMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('device_keys')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('device_keys_pk', ['user_id', 'device_id'])
      .execute();
    // Revoking a device deletes by device (the primary key serves deletes by user).
    await db.schema.createIndex('device_keys_device').on('device_keys').column('device_id').execute();
  },
};

/** A phone number per account, so that a reviewer can call the doctor who filed. */
const userPhoneMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('users').addColumn('phone', 'text').execute();
  },
};

const VISITOR_ROLE: Record<string, string> = { 'village-doctor': 'doctor', 'village-cadre': 'cadre', 'township-reviewer': 'township' };

/**
 * The care plan (protocol 2). Its records — household visits, 两病 follow-ups, family-doctor
 * contracts — are kept in `records` like every synced record (entity, id, village, JSON data,
 * revisions, sequence), so they need no table of their own; pull, push, history and their indexes
 * serve them as they are. What changes is `visit`: protocol 1's visit of one member with a note
 * becomes a household visit. Each stored one is converted in place: its household and village from
 * the record, the member as the one met, the note kept, and as visitor whoever recorded it (from
 * `record_changes`; "other" when unknown). It takes a new revision and sequence number, so every
 * tablet pulls it again in its new shape, and a change row (op `update`, user `migration`) says so.
 */
const careplanMigration: Migration = {
  async up(db: Kysely<any>) {
    const old = await sql<{ id: string; village_code: string; data: string; rev: number; field_revs: string }>`select id, village_code, data, rev, field_revs from records where entity = 'visit' and deleted = 0`.execute(db);
    const rows = old.rows.filter((r) => !('visitors' in (JSON.parse(r.data) as object)));
    if (rows.length === 0) return;
    // Sequence numbers are taken for all at once; one left unused (a visit whose household is gone
    // stays as it was) is a gap, which pull does not mind.
    const now = new Date().toISOString();
    const counter = await sql<{ value: number | string }>`update counters set value = value + ${rows.length} where name = 'seq' returning value`.execute(db);
    let seq = Number(counter.rows[0]!.value) - rows.length + 1;
    for (const r of rows) {
      const v = JSON.parse(r.data) as { id: string; memberId: string; householdId: string; date: string; note?: string; createdAt: string };
      const home = await sql<{ data: string }>`select data from records where entity = 'household' and id = ${v.householdId}`.execute(db);
      const villageId = home.rows[0] ? ((JSON.parse(home.rows[0].data) as { villageId?: string }).villageId ?? null) : null;
      const by = await sql<{ display_name: string | null; username: string; role: string }>`select u.display_name, c.username, c.role from record_changes c left join users u on u.id = c.user_id where c.entity = 'visit' and c.entity_id = ${r.id} order by c.rev, c.id limit 1`.execute(db);
      const who = by.rows[0];
      if (villageId === null) {
        seq++;
        continue;
      }
      const visit = {
        id: v.id,
        householdId: v.householdId,
        villageId,
        date: v.date,
        visitors: [{ name: (who?.display_name || who?.username || '未记录 (not recorded)').slice(0, 50), role: (who && VISITOR_ROLE[who.role]) ?? 'other' }],
        met: [v.memberId],
        checklist: [],
        findings: [],
        ...(v.note ? { note: v.note.slice(0, 2000) } : {}),
        createdAt: v.createdAt,
        updatedAt: now,
      };
      const rev = r.rev + 1;
      const fieldRevs = { ...(JSON.parse(r.field_revs) as Record<string, number>), ...Object.fromEntries(Object.keys(visit).map((k) => [k, rev])) };
      await sql`update records set data = ${JSON.stringify(visit)}, rev = ${rev}, field_revs = ${JSON.stringify(fieldRevs)}, seq = ${seq++}, updated_at = ${now} where entity = 'visit' and id = ${r.id}`.execute(db);
      const fields = JSON.stringify(['householdId', 'villageId', 'visitors', 'met', 'checklist', 'findings', 'note', 'updatedAt']);
      await sql`insert into record_changes (id, entity, entity_id, rev, op, fields, user_id, username, role, device_id, mutation_id, at) values (${ulid()}, 'visit', ${r.id}, ${rev}, 'update', ${fields}, '', 'migration', 'system', '', null, ${now})`.execute(db);
    }
  },
};

/** The migrations in order; binary columns differ by backend, so the list is made for one. */
export function migrations(backend: Backend): Record<string, Migration> {
  return {
    ...MIGRATIONS,
    '0002-filings': filingsMigration(backend),
    '0003-integrity': integrityMigration,
    '0004-hardening': hardeningMigration(backend),
    '0005-device-keys': deviceKeysMigration,
    '0006-careplan': careplanMigration,
    '0007-imports': importsMigration,
    '0008-user-phone': userPhoneMigration,
    '0009-admin-audit': adminAuditMigration,
    '0010-county': countyMigration(backend),
  };
}

/** A record row as read (the county code always present). */
export type RecordRow = Selectable<Tables['records']>;

/**
 * Migrates to the latest, or only up to `upTo` (a migration's name: the tests of a migration start
 * from the database the one before it left).
 */
export async function migrate(db: Kysely<Tables>, backend: Backend, upTo?: string): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(backend) };
  // On PostgreSQL, name the schema the tables live in: Kysely otherwise takes migration tables found
  // in any schema of the database (another deployment's, a concurrent test run's) for its own.
  let migrationTableSchema: string | undefined;
  if (backend === 'postgres') {
    const row = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = row.rows[0]?.schema ?? undefined;
  }
  const migrator = new Migrator({ db, provider, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  const { error, results } = upTo ? await migrator.migrateTo(upTo) : await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${(error as Error).message}`);
  }
}

export async function openDb(opts: { dataDir?: string; databaseUrl?: string | undefined; upTo?: string }): Promise<ServerDb> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    await migrate(db, 'postgres', opts.upTo);
    return { backend: 'postgres', location: opts.databaseUrl.replace(/:[^:@/]*@/, ':***@'), db, close: () => db.destroy() };
  }
  const dir = resolve(opts.dataDir ?? 'data');
  // The folder and the database are the server's alone: the folder 0700, the files 0600. The file is
  // made before SQLite opens it, since SQLite makes its -wal and -shm files with the database's mode.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const path = join(dir, 'cunyi.sqlite');
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite, onCreateConnection: async (c) => void sqliteHandles.set(c, sqlite) }) });
  await migrate(db, 'sqlite', opts.upTo);
  for (const f of [`${path}-wal`, `${path}-shm`, `${path}-journal`]) if (existsSync(f)) chmodSync(f, 0o600);
  return { backend: 'sqlite', location: path, db, close: () => db.destroy() };
}

const sqliteHandles = new WeakMap<DatabaseConnection, Database.Database>();

/**
 * The better-sqlite3 database a transaction runs on (null on PostgreSQL), for bulk writes that
 * prepare a statement once and run it many times (sync/import.ts): Kysely prepares every query anew.
 * Only for statements inside that transaction, which holds SQLite's one connection.
 */
export function sqliteOf(trx: Transaction<Tables> | Kysely<Tables>): Promise<Database.Database | null> {
  return trx.getExecutor().provideConnection(async (c) => sqliteHandles.get(c) ?? null);
}

/** The county (6 digits) a village code belongs to. */
export const countyOf = (villageCode: string): string => villageCode.slice(0, 6);

/**
 * Makes the PostgreSQL partitions of these counties (records_c<county>, record_changes_c<county>)
 * that do not exist yet, before the county's first rows are written: the first record of a county
 * makes its partition (a county's rows are never left in the DEFAULT partition, which would then
 * refuse the partition). Checking is one catalog query; making one takes the parent table's lock
 * briefly, once in a county's life. Inside a transaction it runs in a savepoint, so a concurrent
 * writer that made the same partition first is no failure. Nothing to do on SQLite.
 */
export async function ensureCounties(db: Kysely<Tables>, counties: Iterable<string>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  const wanted = [...new Set(counties)].filter((c) => COUNTY.test(c));
  if (wanted.length === 0) return;
  const missing = await sql<{ c: string }>`select c from unnest(${wanted}::text[]) as c where to_regclass('records_c' || c) is null or to_regclass('record_changes_c' || c) is null`.execute(db);
  for (const { c } of missing.rows) {
    for (const q of countyPartitionSql(c)) {
      if (!db.isTransaction) {
        await sql.raw(q).execute(db).catch(async (e) => {
          // Made meanwhile by another writer.
          if ((e as { code?: string }).code !== '42P07') throw e;
        });
        continue;
      }
      await sql`savepoint county_partition`.execute(db);
      try {
        await sql.raw(q).execute(db);
        await sql`release savepoint county_partition`.execute(db);
      } catch (e) {
        await sql`rollback to savepoint county_partition`.execute(db);
        await sql`release savepoint county_partition`.execute(db);
        if ((e as { code?: string }).code !== '42P07') throw e;
      }
    }
  }
}

/** Takes `n` sequence numbers; the counter row stays locked until the transaction commits, so commits happen in sequence order. */
export async function nextSeq(trx: Kysely<Tables>, n: number): Promise<number> {
  const row = await trx
    .updateTable('counters')
    .set({ value: sql`value + ${n}` })
    .where('name', '=', 'seq')
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value) - n + 1;
}

/**
 * Whether a database error means the storage is full (SQLite's SQLITE_FULL, PostgreSQL's class 53
 * "insufficient resources": disk_full 53100, out_of_memory 53200), so that the request is answered
 * 507 and the client tries again later, rather than taken as the request's own fault.
 */
export function isStorageFull(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === '53100' || code === '53200' || code === 'ENOSPC';
}
