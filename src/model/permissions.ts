/**
 * Who may write what through the sync push (docs/sync.md): the village doctor and the cadre keep
 * the roster of their villages, visit its households and file on their people's behalf; only the
 * doctor records 两病 follow-ups and signs family-doctor contracts (clinical records); township and
 * county reviewers act on filings through the review API only, and read everything of their area
 * by pull; the administrator may write everything. Shared, so the tablet can say what a role may
 * do before anything is sent.
 */
import type { Entity, Mutation, Role } from './sync.ts';

const FIELD_WORKERS: readonly Role[] = ['village-doctor', 'village-cadre', 'admin'];
const DOCTORS: readonly Role[] = ['village-doctor', 'admin'];

export const WRITERS: Readonly<Record<Entity, readonly Role[]>> = {
  village: ['admin'],
  household: FIELD_WORKERS,
  member: FIELD_WORKERS,
  status: FIELD_WORKERS,
  enrolment: FIELD_WORKERS,
  visit: FIELD_WORKERS,
  ledger: FIELD_WORKERS,
  filing: FIELD_WORKERS,
  followup: DOCTORS,
  contract: DOCTORS,
};

/**
 * Records that may be deleted: a wrong status row, a mistaken ledger entry, visit or follow-up.
 * Households and members are never deleted (a member who dies or moves out stays with the date),
 * an enrolment and a contract are ended, a submitted filing is withdrawn by the reviewer's rejection.
 */
export const DELETABLE: ReadonlySet<Entity> = new Set<Entity>(['status', 'ledger', 'visit', 'followup']);

export function mayWrite(role: Role, entity: Entity, op: Mutation['op']): boolean {
  if (!WRITERS[entity].includes(role)) return false;
  return op !== 'delete' || DELETABLE.has(entity) || (role === 'admin' && entity !== 'filing');
}
