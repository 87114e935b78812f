/**
 * The sync protocol between the tablet and the county server (docs/sync.md): versions and
 * message shapes, shared by both sides.
 */
export const PROTOCOL_VERSION = 2;
/**
 * The oldest client protocol the server still serves in full (pull and push). Protocol 2 added the
 * care plan (`followup`, `contract`) and changed `visit` to the household visit: an app of protocol
 * 1 would set every such record aside on pull and, once updated, never get it again (its
 * checkpoint moved past), so it may no longer pull; it may still push, to flush its outbox.
 */
export const MIN_CLIENT_PROTOCOL = 2;
/**
 * The oldest client protocol whose pushes are still taken, so an outdated tablet can flush its
 * outbox before it updates: its pushes are answered with updateRequired, its pulls refused.
 */
export const MIN_PUSH_PROTOCOL = 1;

export type Role = 'village-doctor' | 'village-cadre' | 'township-reviewer' | 'county-reviewer' | 'admin';
export const ROLES: readonly Role[] = ['village-doctor', 'village-cadre', 'township-reviewer', 'county-reviewer', 'admin'];

/**
 * The kinds of record. `visit` is the household visit (入户走访), `followup` the 两病 follow-up
 * (随访), `contract` the family-doctor contract (签约): their schemas are in careplan/records.ts.
 */
export type Entity = 'village' | 'household' | 'member' | 'status' | 'enrolment' | 'visit' | 'ledger' | 'filing' | 'followup' | 'contract';
export const ENTITIES: readonly Entity[] = ['village', 'household', 'member', 'status', 'enrolment', 'visit', 'ledger', 'filing', 'followup', 'contract'];

/** A change made on a device, pushed to the county. `id` is a ULID made on the device. */
export interface Mutation {
  id: string;
  entity: Entity;
  entityId: string;
  op: 'create' | 'update' | 'delete';
  /** The revision the change was made on (updates of roster records). */
  baseRev: number | null;
  /** The created record, or only the changed fields. */
  data: Record<string, unknown>;
  createdAt: string;
}

export type MutationResult =
  | { id: string; status: 'applied'; rev: number }
  | { id: string; status: 'conflict'; rev: number; conflicts: { field: string; server: unknown; client: unknown }[] }
  | { id: string; status: 'rejected'; code: string; message: string; path?: string };

export interface PushRequest {
  protocol: number;
  deviceId: string;
  mutations: Mutation[];
}

export interface PushResponse {
  protocol: number;
  results: MutationResult[];
  /** The client is older than the server serves: it should update once its outbox is empty. */
  updateRequired?: boolean;
}

/** A record as pulled: deletions come as tombstones (deleted: true, data null). */
export interface PulledRecord {
  entity: Entity;
  id: string;
  rev: number;
  seq: number;
  deleted: boolean;
  data: Record<string, unknown> | null;
}

export interface PullResponse {
  protocol: number;
  records: PulledRecord[];
  /** Pass back as `since` next time. */
  checkpoint: number;
  /**
   * Records of the user's jurisdiction after this batch (for the progress bar): 0 on the last page;
   * -1 ("more") when the client asked with `count=0`.
   */
  remaining: number;
}

export interface ProtocolError {
  error: { code: 'client-too-old' | 'server-too-old' | 'unauthorized' | 'forbidden' | 'invalid' | 'device-revoked'; message: string; path?: string };
}
