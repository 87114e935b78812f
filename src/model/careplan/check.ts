/**
 * What a care-plan record must agree with beyond its own shape, checked the same way by the county
 * server before it stores a pushed record and by the tablet before it saves one: a follow-up's
 * classification is the one its pack computes from its readings (the doctor's own class goes in
 * `override`), and the members a household visit names are members of that household.
 */
import type { RecordProblem } from '../record-parts.ts';
import { evaluateFollowup } from './evaluate.ts';
import type { CarePack } from './pack.ts';
import { builtinCarePack } from './packs/index.ts';
import type { Followup, HouseholdVisit } from './records.ts';

/** The shipped care-plan pack of an id, or null when the app has none of that id. */
export function knownCarePack(id: string): CarePack | null {
  try {
    return builtinCarePack(id);
  } catch {
    return null;
  }
}

/**
 * A follow-up against its pack: the pack must be one the app ships, and `classification` must be
 * what the pack computes (for a member born on `birthDate`; null takes the general target).
 */
export function checkFollowupClassification(f: Pick<Followup, 'carePackId' | 'disease' | 'readings' | 'symptoms' | 'adverseReaction' | 'complication' | 'classification' | 'date'>, birthDate: string | null, pack: CarePack | null = knownCarePack(f.carePackId)): RecordProblem | null {
  if (pack === null) return { path: 'carePackId', message: 'is no care-plan pack of this app' };
  const computed = evaluateFollowup(pack, f, { birthDate, date: f.date }).classification;
  if (f.classification !== computed) return { path: 'classification', message: `must be ${computed}, as the pack ${pack.id} computes it from the readings (the doctor's own class goes in override)` };
  return null;
}

/**
 * The members a visit names (met, checklist, findings) against the household they live in:
 * `householdOf(memberId)` answers the member's household, or null when there is no such member.
 */
export function checkVisitMembers(v: Pick<HouseholdVisit, 'householdId' | 'met' | 'checklist' | 'findings'>, householdOf: (memberId: string) => string | null): RecordProblem | null {
  const named: [string, string][] = [
    ...v.met.map((id, i): [string, string] => [`met.${i}`, id]),
    ...v.checklist.map((c, i): [string, string] => [`checklist.${i}.memberId`, c.memberId]),
    ...v.findings.flatMap((f, i): [string, string][] => (f.memberId === null ? [] : [[`findings.${i}.memberId`, f.memberId]])),
  ];
  for (const [path, id] of named) {
    const h = householdOf(id);
    if (h === null) return { path, message: 'is no member on the roster' };
    if (h !== v.householdId) return { path, message: 'is a member of another household' };
  }
  return null;
}

/** Every member id a visit names, for reading them before checking. */
export function visitMemberIds(v: { met?: unknown; checklist?: unknown; findings?: unknown }): string[] {
  const out: string[] = [];
  const push = (x: unknown) => {
    if (typeof x === 'string') out.push(x);
  };
  if (Array.isArray(v.met)) v.met.forEach(push);
  if (Array.isArray(v.checklist)) for (const c of v.checklist) push((c as { memberId?: unknown } | null)?.memberId);
  if (Array.isArray(v.findings)) for (const f of v.findings) push((f as { memberId?: unknown } | null)?.memberId);
  return out;
}
