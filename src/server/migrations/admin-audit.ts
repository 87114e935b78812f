/**
 * 0009-admin-audit: every change made to accounts and devices (src/server/admin.ts), from the
 * browser's 管理 screens or from `npm run admin` (actor `cli`): who, with which role, did what to
 * whom, when. `details` says what changed (roles, area codes, whether a phone was set) and never a
 * password, a phone number or a name. `counties` are the county codes (6 digits) the target belongs
 * to, as JSON, so that a county user is shown the entries of its own county.
 */
import type { Kysely, Migration } from 'kysely';

export type AdminAuditTables = {
  admin_audit: {
    id: string;
    at: string;
    actor_id: string;
    actor_username: string;
    actor_role: string;
    action: string;
    /** A username, or a device id. */
    target: string;
    counties: string;
    details: string;
  };
};

export const adminAuditMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('admin_audit')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('actor_username', 'text', (c) => c.notNull())
      .addColumn('actor_role', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('counties', 'text', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('admin_audit_at').on('admin_audit').columns(['at', 'id']).execute();
  },
};
