/**
 * 0007-imports: the history of roster imports (src/server/import/): who imported which file when,
 * as a dry run or for real, whether it was taken, its counts and its whole report. Every attempt
 * is kept, a refused one too, so the county can see what was tried and why it was refused.
 */
import type { Kysely, Migration } from 'kysely';

export type ImportTables = {
  imports: {
    id: string;
    at: string;
    user_id: string;
    username: string;
    role: string;
    device_id: string;
    file_name: string;
    format: string;
    /** The text encoding a CSV was read in (utf-8, utf-8-bom, gb18030, utf-16le); null for .xlsx. */
    encoding: string | null;
    dry_run: number;
    /** 1 when the file was taken (for a dry run: would be); 0 when it was refused. */
    ok: number;
    rows: number;
    /** Records written (a dry run: records that would be). */
    changes: number;
    /** The county codes (6 digits) the import concerns, as JSON: a county user sees its own. */
    counties: string;
    /** ImportReport as JSON. */
    report: string;
  };
};

export const importsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('imports')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('file_name', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('encoding', 'text')
      .addColumn('dry_run', 'integer', (c) => c.notNull())
      .addColumn('ok', 'integer', (c) => c.notNull())
      .addColumn('rows', 'integer', (c) => c.notNull())
      .addColumn('changes', 'integer', (c) => c.notNull())
      .addColumn('counties', 'text', (c) => c.notNull())
      .addColumn('report', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('imports_at').on('imports').column('at').execute();
  },
};
