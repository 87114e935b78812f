/**
 * The tablet's local store: a Dexie database over IndexedDB with a versioned schema. Every
 * version stays listed here with its upgrade, so a tablet that skipped releases still migrates
 * step by step (test/client/db-migration.test.ts opens a v1 database full of data with v2).
 */
import Dexie, { type EntityTable, type Transaction } from 'dexie';
import type { Contract, Followup, HouseholdVisit } from '../../model/careplan/records.ts';
import type { FilingContent, FilingRecord, FilingStatus } from '../../model/filing.ts';
import type { LedgerEntry } from '../../model/records.ts';
import type { Enrolment, Household, Member, StatusRecord, Village } from '../../model/roster.ts';
import { STAMP, stampMiddleware, type DigestRow } from './digest.ts';
import { sealMiddleware } from './seal.ts';
import { householdSearchKeys, memberSearchKeys, searchKeysReady } from './search-keys.ts';

export const DB_NAME = 'cunyi';

/** A row of the members table: the roster member plus its search keys (from v2). */
export interface MemberRow extends Member {
  search?: string[];
}
export interface HouseholdRow extends Household {
  search?: string[];
}

/**
 * The care plan's records (src/model/careplan/records.ts), with the county's revision once pushed
 * or pulled: a household visit (入户走访, entity `visit`), a 两病 follow-up, a family-doctor contract.
 */
export type VisitRow = HouseholdVisit;
export type FollowupRow = Followup;
export type ContractRow = Contract;

/** A claim recorded from a hospital's settlement slip (filled by the estimate and ledger screens). */
export type LedgerRow = LedgerEntry;

/**
 * A proxy filing on the tablet: a draft (made here, never sent), or the county's record as pulled
 * (src/model/filing.ts FilingRecord) with this tablet's own state in `local`.
 */
export interface FilingRow extends Omit<FilingRecord, 'status'> {
  status: FilingStatus;
  /** The county's revision (0 for a draft never sent). */
  rev: number;
  local?: FilingLocal;
}

export interface FilingLocal {
  /** The corrected version of a returned filing, being edited (drafts edit `content` itself). */
  draft: FilingContent | null;
  /** Complete and waiting in the outbox (or for its photos to upload). */
  queued: boolean;
  /** The county refused the last submission: why (the content is kept to correct). */
  problem: { code: string; message: string; at: string } | null;
}

/** A photo of a filing's document, kept on the tablet until the county has it (and after). */
/** A photo kept on the tablet: a filing's document (`filingId`), or a household visit's (kind `visit`, named by the visit by its hash). */
export interface AttachmentRow {
  id: string;
  filingId?: string;
  kind: string;
  sha256: string;
  size: number;
  mime: string;
  blob: Blob;
  createdAt: string;
  /** The county holds every byte and has verified the hash. */
  uploaded?: boolean;
  /** Some of it was sent once (a later attempt asks the county how much it holds). */
  uploadStarted?: boolean;
  /** `blob` is sealed under the profile's data key (db/seal.ts sealBlob); read it with photoBlob(). */
  sealed?: boolean;
}

export interface PackRow {
  id: string;
  version: string;
  hash: string;
  json: unknown;
  installedAt: string;
}

/**
 * A change that must reach the county, written in the same transaction as the change itself. It is
 * sent in the order of `seq`, the device's own counter (IndexedDB's auto-increment), never in the
 * order of `id` or `createdAt`: a tablet's clock can be set back, its own sequence cannot.
 */
export interface OutboxRow {
  /** Assigned by the store when the row is added. */
  seq?: number;
  /** The mutation id (a ULID): what makes a replay at the county safe. */
  id: string;
  createdAt: string;
  entity: 'household' | 'member' | 'status' | 'enrolment' | 'visit' | 'ledger' | 'filing' | 'followup' | 'contract';
  entityId: string;
  op: 'create' | 'update' | 'delete';
  /** The record's revision the change was made on (updates). */
  baseRev: number | null;
  /** Created record, or only the changed fields. */
  data: Record<string, unknown>;
  /** Absent while waiting to be sent; set when the county answered with a conflict or a refusal. */
  state?: 'conflict' | 'rejected';
  /** The county's answer for a conflict (both values per field) or a refusal (the reason). */
  result?: { code?: string; message?: string; path?: string; conflicts?: { field: string; server: unknown; client: unknown }[]; at: string };
}

export interface AuditRow {
  seq?: number;
  at: string;
  entity: OutboxRow['entity'] | 'device';
  entityId: string;
  action: string;
  /** field → [before, after] */
  changes: Record<string, [unknown, unknown]>;
}

/** Unsaved form input, kept on every change until the form is saved or discarded. */
export interface DraftRow {
  /** The form's id, e.g. "status-<memberId>". */
  id: string;
  values: unknown;
  savedAt: string;
}

export interface MetaRow {
  key: string;
  value: unknown;
}

export class CunyiDb extends Dexie {
  villages!: EntityTable<Village, 'id'>;
  households!: EntityTable<HouseholdRow, 'id'>;
  members!: EntityTable<MemberRow, 'id'>;
  statuses!: EntityTable<StatusRecord, 'id'>;
  enrolments!: EntityTable<Enrolment, 'id'>;
  visits!: EntityTable<VisitRow, 'id'>;
  followups!: EntityTable<FollowupRow, 'id'>;
  contracts!: EntityTable<ContractRow, 'id'>;
  ledger!: EntityTable<LedgerRow, 'id'>;
  filings!: EntityTable<FilingRow, 'id'>;
  attachments!: EntityTable<AttachmentRow, 'id'>;
  packs!: EntityTable<PackRow, 'id'>;
  drafts!: EntityTable<DraftRow, 'id'>;
  audit!: EntityTable<AuditRow, 'seq'>;
  meta!: EntityTable<MetaRow, 'key'>;
  digest!: EntityTable<DigestRow, 'id'>;

  /** The profile's data key (null: a store kept in the clear, as in unit tests and the blank store). */
  readonly key: Uint8Array | null;
  #photoKey: Promise<CryptoKey> | null = null;

  constructor(name = DB_NAME, options: { durability?: 'strict' | 'relaxed' | 'default'; indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange; key?: Uint8Array | null } = {}) {
    super(name, {
      chromeTransactionDurability: options.durability ?? 'strict',
      ...(options.indexedDB ? { indexedDB: options.indexedDB, IDBKeyRange: options.IDBKeyRange } : {}),
    });
    this.key = options.key ?? null;
    if (this.key) this.use(sealMiddleware(this.key));
    this.use(stampMiddleware());
    defineVersions(this);
    this.table('queue').hook('creating', () => {
      for (const l of outboxListeners) l();
    });
  }

  /** The data key for Web Crypto, which seals photos (null when the store is not sealed). */
  photoKey(): Promise<CryptoKey | null> {
    if (!this.key) return Promise.resolve(null);
    this.#photoKey ??= crypto.subtle.importKey('raw', this.key as Uint8Array<ArrayBuffer>, 'AES-GCM', false, ['encrypt', 'decrypt']);
    return this.#photoKey;
  }

  /**
   * The outbox: stored as the table "queue" since v4, keyed by the device's sequence. A getter on
   * the prototype, which Dexie leaves alone when it adds and removes its table properties.
   */
  get outbox(): EntityTable<OutboxRow, 'seq'> {
    return this.table('queue') as EntityTable<OutboxRow, 'seq'>;
  }
}

/** Version 1: the first release. */
export const SCHEMA_V1 = {
  villages: 'id, code',
  households: 'id, villageId, &[villageId+number]',
  members: 'id, householdId, villageId',
  statuses: 'id, memberId',
  enrolments: 'id, memberId, villageId',
  visits: 'id, memberId',
  ledger: 'id, memberId, [memberId+date]',
  filings: 'id, memberId, villageId, status',
  attachments: 'id, filingId',
  packs: 'id',
  outbox: 'id',
  meta: 'key',
};

/** Version 2: search keys on members and households (filled for existing rows), and the audit log. */
export const SCHEMA_V2 = {
  ...SCHEMA_V1,
  households: 'id, villageId, &[villageId+number], *search',
  members: 'id, householdId, villageId, *search',
  audit: '++seq, [entity+entityId], at',
};

/** Version 3: filings by household and attachments by hash (proxy filing; the tables were empty before). */
export const SCHEMA_V3 = {
  ...SCHEMA_V2,
  filings: 'id, memberId, householdId, villageId, status',
  attachments: 'id, filingId, sha256',
};

/**
 * Version 4: the outbox keyed by an auto-increment sequence (a new table, "queue": IndexedDB cannot
 * change a primary key), its rows copied in their old order; form drafts in IndexedDB, where a
 * write is on disk when its transaction completes (localStorage is written back seconds later, so a
 * killed browser lost what was typed just before).
 */
export const SCHEMA_V4 = {
  ...SCHEMA_V3,
  queue: '++seq, &id, entityId',
  drafts: 'id',
};

/** Version 5: the old outbox table, emptied into "queue" by version 4, is dropped. */
export const SCHEMA_V5 = { ...SCHEMA_V4, outbox: null };

/**
 * Version 6: search keys keep only the last digits of ID and phone numbers (the whole numbers are
 * sealed with the rest of the row, db/seal.ts), so the keys are computed again.
 */
export const SCHEMA_V6 = SCHEMA_V5;

/**
 * Version 7: the care plan. `visits` holds household visits now (protocol 2; a visit of one member
 * with a note was protocol 1's, which the county converted and sends again, so the old rows go),
 * found by household, village and date; follow-ups by member, village and date; contracts by
 * member, household, village and end of validity. Only ids and dates are indexed, so readings,
 * diseases, symptoms, medication, checklists and names stay sealed (db/seal.ts).
 */
export const SCHEMA_V7 = {
  ...SCHEMA_V6,
  visits: 'id, householdId, villageId, date',
  followups: 'id, memberId, villageId, date',
  contracts: 'id, memberId, householdId, villageId, validUntil',
};

/**
 * Version 8: every member, household, status and enrolment row carries an indexed write stamp
 * (db/digest.ts), so the work list and 村情 read one compact digest of the roster and open only the
 * rows written since it was made; the digest itself (one row, sealed as a whole).
 */
export const SCHEMA_V8 = {
  ...SCHEMA_V7,
  households: `${SCHEMA_V7.households}, ${STAMP}`,
  members: `${SCHEMA_V7.members}, ${STAMP}`,
  statuses: `${SCHEMA_V7.statuses}, ${STAMP}`,
  enrolments: `${SCHEMA_V7.enrolments}, ${STAMP}`,
  digest: 'id',
};

/** Version 9: search keys for the given name alone and the other readings of polyphonic characters (recomputed). */
export const SCHEMA_V9 = SCHEMA_V8;

/** The search keys of every member and household computed again (v2 made them, v6 shortened them, v9 added readings). */
async function searchKeysAgain(tx: Transaction): Promise<void> {
  await searchKeysReady();
  await tx
    .table('members')
    .toCollection()
    .modify((m: MemberRow) => {
      m.search = memberSearchKeys(m);
    });
  await tx
    .table('households')
    .toCollection()
    .modify((h: HouseholdRow) => {
      h.search = householdSearchKeys(h);
    });
}

export function defineVersions(db: Dexie): void {
  db.version(1).stores(SCHEMA_V1);
  db.version(2)
    .stores(SCHEMA_V2)
    .upgrade(searchKeysAgain);
  db.version(3).stores(SCHEMA_V3);
  db.version(4)
    .stores(SCHEMA_V4)
    .upgrade(async (tx) => {
      // Ids were time-ordered, so id order is the best order the old rows have.
      const rows = (await tx.table('outbox').orderBy('id').toArray()) as OutboxRow[];
      await tx.table('queue').bulkAdd(rows.map(({ seq: _seq, ...r }) => r));
    });
  db.version(5).stores(SCHEMA_V5);
  db.version(6)
    .stores(SCHEMA_V6)
    .upgrade(searchKeysAgain);
  db.version(7)
    .stores(SCHEMA_V7)
    .upgrade(async (tx) => {
      await tx
        .table('visits')
        .filter((v: Record<string, unknown>) => !Array.isArray(v.visitors))
        .delete();
    });
  db.version(8)
    .stores(SCHEMA_V8)
    .upgrade(async (tx) => {
      // Written again through the stamp middleware: each row gets its stamp.
      for (const name of ['members', 'households', 'statuses', 'enrolments']) await tx.table(name).toCollection().modify(() => {});
    });
  db.version(9)
    .stores(SCHEMA_V9)
    .upgrade(searchKeysAgain);
}

/** Called when a change is queued in any store (the sync engine's trigger). */
export const outboxListeners = new Set<() => void>();

/** The store in use before any profile exists (the welcome and sign-in screens): never written. */
export const BLANK_DB = 'cunyi-blank';

let shared: CunyiDb | null = null;

/**
 * The open profile's store (strict durability: what is written survives a power cut); the blank
 * store while no profile is open. The profile module (src/client/profiles) sets it.
 */
export function db(): CunyiDb {
  shared ??= new CunyiDb(BLANK_DB);
  return shared;
}

/** Makes `d` the app's store (closing the one before unless it is the same). */
export function useDb(d: CunyiDb | null): void {
  if (shared && shared !== d) shared.close();
  shared = d;
}

/** Whether a profile's store is open (the background sync of the service worker needs one). */
export function hasOpenDb(): boolean {
  return shared !== null && shared.name !== BLANK_DB;
}
