/**
 * The county server's embedded database: SQLite under DATA_DIR, write-ahead log and
 * synchronous=FULL so that an acknowledged write survives a power cut.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface ServerDb {
  backend: 'sqlite';
  path: string;
  sqlite: Database.Database;
  close(): void;
}

const MIGRATIONS: string[] = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
];

export function openDb(dataDir: string): ServerDb {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'cunyi.sqlite');
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  const version = sqlite.pragma('user_version', { simple: true }) as number;
  sqlite.transaction(() => {
    for (let v = version; v < MIGRATIONS.length; v++) sqlite.exec(MIGRATIONS[v]!);
    sqlite.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
  return { backend: 'sqlite', path, sqlite, close: () => sqlite.close() };
}
