/**
 * The work list (今日工作): what the doctor or cadre should do, derived on the device from the
 * records and the care-plan pack each time it is shown, never stored — as Medic CHT derives its
 * tasks. Every item has a due date and a window (shown from N days before it is due, due until M
 * days after, then overdue), so saving the record that settles an item (a follow-up, a visit, a
 * contract, the insurance paid, a resubmitted filing) takes it off the list.
 *
 * One pass over each array, indexed by id with Maps; the items are sorted by one numeric key.
 */
import type { FilingStatus } from '../filing.ts';
import type { Enrolment, Household, Member, StatusRecord } from '../roster.ts';
import { addDays, addMonths, dayOf, isoOf } from '../days.ts';
import { followupDue, type TaskState, type Window } from './evaluate.ts';
import type { CarePack, PovertyKey } from './pack.ts';
import type { Contract, Disease, Followup, HouseholdVisit } from './records.ts';
import { enrolmentDisease } from './diseases.ts';
export { enrolmentDisease };

export const ITEM_KINDS = ['recheck', 'followup', 'household-visit', 'insurance', 'contract-renewal', 'filing-returned', 'filing-needed', 'measure'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export const URGENCIES = ['urgent', 'high', 'normal', 'low'] as const;
export type Urgency = (typeof URGENCIES)[number];

export type ReasonCode =
  | 'no-followup-yet'
  | 'routine-followup'
  | 'recheck-unsatisfactory'
  | 'recheck-adverse-reaction'
  | 'recheck-complication'
  | 'recheck-referral'
  | 'no-visit-yet'
  | 'visit-interval'
  | 'not-insured-next-year'
  | 'contract-ends'
  | 'contract-lapsed'
  | 'filing-returned'
  | 'visit-asked-filing'
  | 'measure-due';

export interface WorkItem {
  /** Stable across regenerations: kind and subject (`followup:<member>:hypertension`). */
  id: string;
  kind: ItemKind;
  due: string;
  window: Window;
  state: Exclude<TaskState, 'hidden'>;
  memberId: string | null;
  householdId: string | null;
  villageId: string;
  urgency: Urgency;
  reason: { code: ReasonCode; params: Record<string, string | number> };
}

/** A filing as the work list needs it (FilingRecord, or a draft on the tablet). */
export interface WorklistFiling {
  id: string;
  memberId: string;
  householdId: string;
  villageId: string;
  status: FilingStatus;
  createdAt: string;
  updatedAt?: string;
  events?: readonly { at: string; action: string }[];
}

export interface WorklistInput {
  today: string;
  pack: CarePack;
  members: readonly Member[];
  households: readonly Household[];
  statuses: readonly StatusRecord[];
  enrolments: readonly Enrolment[];
  followups: readonly Followup[];
  visits: readonly HouseholdVisit[];
  contracts: readonly Contract[];
  filings: readonly WorklistFiling[];
}

export interface WorklistFilter {
  villageIds?: readonly string[];
  kinds?: readonly ItemKind[];
}

/** The validUntil a contract signed on a date gets under the pack (the day before the term ends). */
export function contractValidUntil(pack: CarePack, signedOn: string): string {
  return addDays(addMonths(signedOn, pack.contracts.termMonths.value), -1);
}

/** The contribution period (for the insured year) today falls in, or null outside every period. */
export function contributionPeriod(pack: CarePack, today: string): { year: number; from: string; until: string } | null {
  const fromMd = pack.insurance.contributionFrom.value;
  const untilMd = pack.insurance.contributionUntil.value;
  const y = Number(today.slice(0, 4));
  for (const insured of [y + 1, y]) {
    const from = `${insured - 1}-${fromMd}`;
    const until = untilMd >= fromMd ? `${insured - 1}-${untilMd}` : `${insured}-${untilMd}`;
    if (today >= from && today <= until) return { year: insured, from, until };
  }
  return null;
}

const POVERTY_RANK: Record<PovertyKey, number> = { monitored: 0, poor: 1, lifted: 2, none: 3 };
const RANK_POVERTY: PovertyKey[] = ['monitored', 'poor', 'lifted', 'none'];
const URGENCY_RANK: Record<Urgency, number> = { urgent: 0, high: 1, normal: 2, low: 3 };
const STATE_RANK = { overdue: 0, due: 1, upcoming: 2 } as const;
const DAY_OFFSET = 40_000;

interface RosterIndex {
  active: Map<string, Member>;
  householdHasActive: Set<string>;
  /** Each household's gravest status in force today, as a POVERTY_RANK (made when first asked). */
  householdRank: () => Map<string, number>;
}

/**
 * The roster's index for a day and a village filter, kept per members and statuses array: the
 * tablet reads its roster from one digest (src/client/db/digest.ts) whose arrays stay the same
 * objects while nothing in the roster is written, so a work list made again after a follow-up or a
 * visit is saved does not index 100,000 members again. Arrays are never changed in place here or
 * by the digest (a change makes new ones), so the index of an array is the index of its content.
 */
const rosterIndexes = new WeakMap<readonly Member[], WeakMap<readonly StatusRecord[], Map<string, RosterIndex>>>();

function rosterIndex(input: WorklistInput, today: string, villages: Set<string> | null, villageIds: readonly string[] | undefined): RosterIndex {
  const key = `${today}|${villageIds ? [...villageIds].sort().join(',') : '*'}`;
  let byStatuses = rosterIndexes.get(input.members);
  if (!byStatuses) rosterIndexes.set(input.members, (byStatuses = new WeakMap()));
  let byKey = byStatuses.get(input.statuses);
  if (!byKey) byStatuses.set(input.statuses, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const active = new Map<string, Member>();
  const householdHasActive = new Set<string>();
  for (const m of input.members) {
    if (m.state !== 'active' || (villages !== null && !villages.has(m.villageId))) continue;
    active.set(m.id, m);
    householdHasActive.add(m.householdId);
  }
  let rank: Map<string, number> | null = null;
  const householdRank = (): Map<string, number> => {
    if (rank) return rank;
    rank = new Map<string, number>();
    const statusOf = new Map<string, StatusRecord>();
    for (const s of input.statuses) {
      if (s.from > today || !active.has(s.memberId)) continue;
      const cur = statusOf.get(s.memberId);
      if (!cur || s.from > cur.from || (s.from === cur.from && s.createdAt > cur.createdAt)) statusOf.set(s.memberId, s);
    }
    for (const [memberId, s] of statusOf) {
      const hh = active.get(memberId)!.householdId;
      const r = POVERTY_RANK[s.poverty];
      const cur = rank.get(hh);
      if (cur === undefined || r < cur) rank.set(hh, r);
    }
    return rank;
  };
  const index = { active, householdHasActive, householdRank };
  // A few days and filters per roster at most (the tablet's today, a village or two).
  if (byKey.size >= 8) byKey.clear();
  byKey.set(key, index);
  return index;
}

/** Generates the work list for today, sorted by urgency, then overdue before due before upcoming, then due date. */
export function generateWorklist(input: WorklistInput, filter: WorklistFilter = {}): WorkItem[] {
  const { today, pack } = input;
  const villages = filter.villageIds ? new Set(filter.villageIds) : null;
  const kinds = new Set<ItemKind>(filter.kinds ?? ITEM_KINDS);
  const inVillage = (id: string) => villages === null || villages.has(id);
  const items: WorkItem[] = [];
  // Dates as day numbers inside; an ISO string is made (once per distinct day) only for what is shown.
  const todayDay = dayOf(today);
  const isoCache = new Map<number, string>();
  const iso = (d: number): string => {
    let x = isoCache.get(d);
    if (x === undefined) isoCache.set(d, (x = isoOf(d)));
    return x;
  };
  const dayCache = new Map<string, number>();
  const day = (s: string): number => {
    let x = dayCache.get(s);
    if (x === undefined) dayCache.set(s, (x = dayOf(s)));
    return x;
  };
  /** The item's state, or null when its window has not opened (a window as [due − before, due + after]). */
  const stateOf = (due: number, from: number, until: number): WorkItem['state'] | null =>
    todayDay < from ? null : todayDay < due ? 'upcoming' : todayDay <= until ? 'due' : 'overdue';
  // Items of the same window share one window object (a county's next-year insurance items are
  // 100,000 of one window): items are read, never changed.
  const windows = new Map<number, Window>();
  const windowOf = (from: number, until: number): Window => {
    const k = (from + DAY_OFFSET) * 200_000 + (until + DAY_OFFSET);
    let w = windows.get(k);
    if (w === undefined) windows.set(k, (w = { from: iso(from), until: iso(until) }));
    return w;
  };
  const push = (kind: ItemKind, subject: string, due: number, from: number, until: number, state: WorkItem['state'], memberId: string | null, householdId: string | null, villageId: string, urgency: Urgency, code: ReasonCode, params: Record<string, string | number>) => {
    items.push({ id: `${kind}:${subject}`, kind, due: iso(due), window: windowOf(from, until), state, memberId, householdId, villageId, urgency, reason: { code, params } });
  };
  const W = pack.windows;

  // Active members, by id; households with an active member; each household's gravest status today.
  const { active, householdHasActive, householdRank } = rosterIndex(input, today, villages, filter.villageIds);

  // Follow-ups and re-checks, per enrolled member and disease.
  if (kinds.has('followup') || kinds.has('recheck')) {
    const diseases = new Map<string, number>(); // memberId → bit 1 hypertension, bit 2 diabetes
    for (const e of input.enrolments) {
      if (!active.has(e.memberId) || e.certifiedOn > today || (e.endedOn !== null && e.endedOn <= today)) continue;
      const d = enrolmentDisease(e);
      if (d !== null) diseases.set(e.memberId, (diseases.get(e.memberId) ?? 0) | (d === 'hypertension' ? 1 : 2));
    }
    const latest = new Map<string, Followup>();
    for (const f of input.followups) {
      if (f.date > today || !diseases.has(f.memberId)) continue;
      const key = f.disease === 'hypertension' ? `${f.memberId}:h` : `${f.memberId}:d`;
      const cur = latest.get(key);
      if (!cur || f.date > cur.date || (f.date === cur.date && f.updatedAt > cur.updatedAt)) latest.set(key, f);
    }
    for (const [memberId, bits] of diseases) {
      const m = active.get(memberId)!;
      for (const disease of ['hypertension', 'diabetes2'] as const) {
        if ((bits & (disease === 'hypertension' ? 1 : 2)) === 0) continue;
        const f = latest.get(disease === 'hypertension' ? `${memberId}:h` : `${memberId}:d`);
        const subject = `${memberId}:${disease}`;
        if (!f) {
          if (kinds.has('followup')) push('followup', subject, todayDay, todayDay - W.followup.before.value, todayDay + W.followup.after.value, 'due', memberId, m.householdId, m.villageId, 'high', 'no-followup-yet', { disease });
          continue;
        }
        const next = followupDue(pack, f);
        const due = day(next.due);
        if (next.rule === 'recheck') {
          if (!kinds.has('recheck')) continue;
          const state = stateOf(due, due - W.recheck.before.value, due + W.recheck.after.value);
          if (state === null) continue;
          const cls = f.override?.classification ?? f.classification;
          const code: ReasonCode = f.referral !== null ? 'recheck-referral' : cls === 'complication' ? 'recheck-complication' : cls === 'adverse-reaction' ? 'recheck-adverse-reaction' : 'recheck-unsatisfactory';
          const urgent = code === 'recheck-referral' || code === 'recheck-complication';
          push('recheck', subject, due, due - W.recheck.before.value, due + W.recheck.after.value, state, memberId, m.householdId, m.villageId, urgent ? 'urgent' : 'high', code, { disease, last: f.date, followupId: f.id });
        } else if (kinds.has('followup')) {
          const state = stateOf(due, due - W.followup.before.value, due + W.followup.after.value);
          if (state === null) continue;
          push('followup', subject, due, due - W.followup.before.value, due + W.followup.after.value, state, memberId, m.householdId, m.villageId, state === 'overdue' ? 'high' : 'normal', 'routine-followup', { disease, last: f.date });
        }
      }
    }
  }

  // Household visits, per the household's gravest status; visit measures; filings a visit asked for.
  const wantVisit = kinds.has('household-visit');
  const wantMeasure = kinds.has('measure');
  const wantNeeded = kinds.has('filing-needed');
  if (wantVisit || wantMeasure || wantNeeded) {
    const lastVisit = new Map<string, string>();
    const findings = new Map<string, { due: string; done: boolean; householdId: string; villageId: string; memberId: string | null; problem: string }>();
    /** memberId → the latest visit that went through the member's checklist. */
    const asked = new Map<string, HouseholdVisit>();
    for (const v of input.visits) {
      if (v.date > today || !householdHasActive.has(v.householdId)) continue;
      const cur = lastVisit.get(v.householdId);
      if (cur === undefined || v.date > cur) lastVisit.set(v.householdId, v.date);
      if (wantMeasure) {
        for (const f of v.findings) {
          const prev = findings.get(f.id);
          if (!prev) findings.set(f.id, { due: f.due, done: f.doneOn !== null, householdId: v.householdId, villageId: v.villageId, memberId: f.memberId, problem: f.problem });
          else if (f.doneOn !== null) prev.done = true;
        }
      }
      if (wantNeeded) {
        for (const c of v.checklist) {
          const a = asked.get(c.memberId);
          if (!a || v.date > a.date || (v.date === a.date && v.createdAt > a.createdAt)) asked.set(c.memberId, v);
        }
      }
    }
    if (wantVisit) {
      const rank = householdRank();
      for (const h of input.households) {
        if (!householdHasActive.has(h.id) || !inVillage(h.villageId)) continue;
        const status = RANK_POVERTY[rank.get(h.id) ?? 3]!;
        const interval = pack.households.intervalDays[status];
        const last = lastVisit.get(h.id);
        const due = last === undefined ? todayDay : day(last) + interval.value;
        const from = due - W.householdVisit.before.value;
        const until = due + W.householdVisit.after.value;
        const state = stateOf(due, from, until);
        if (state === null) continue;
        const params: Record<string, string | number> = { status, days: interval.value };
        if (last !== undefined) params.last = last;
        push('household-visit', h.id, due, from, until, state, null, h.id, h.villageId, status === 'monitored' || state === 'overdue' ? 'high' : 'normal', last === undefined ? 'no-visit-yet' : 'visit-interval', params);
      }
    }
    if (wantMeasure) {
      for (const [id, f] of findings) {
        if (f.done) continue;
        const due = day(f.due);
        const state = stateOf(due, due - W.measure.before.value, due + W.measure.after.value);
        if (state === null) continue;
        push('measure', id, due, due - W.measure.before.value, due + W.measure.after.value, state, f.memberId, f.householdId, f.villageId, state === 'overdue' ? 'high' : 'normal', 'measure-due', { problem: f.problem });
      }
    }
    if (wantNeeded) {
      const filedAt = new Map<string, string>();
      for (const f of input.filings) {
        if (f.status === 'rejected') continue;
        const cur = filedAt.get(f.memberId);
        if (cur === undefined || f.createdAt > cur) filedAt.set(f.memberId, f.createdAt);
      }
      for (const [memberId, v] of asked) {
        const m = active.get(memberId);
        if (!m) continue;
        const c = v.checklist.find((x) => x.memberId === memberId)!;
        if (c.items.needsProxyFiling?.answer !== 'yes') continue;
        const filed = filedAt.get(memberId);
        if (filed !== undefined && filed >= v.createdAt) continue;
        const due = day(v.date);
        const state = stateOf(due, due - W.filing.before.value, due + W.filing.after.value)!;
        push('filing-needed', memberId, due, due - W.filing.before.value, due + W.filing.after.value, state, memberId, m.householdId, m.villageId, 'normal', 'visit-asked-filing', { visitId: v.id, visitDate: v.date });
      }
    }
  }

  // Filings returned for correction.
  if (kinds.has('filing-returned')) {
    for (const f of input.filings) {
      if (f.status !== 'returned' || !inVillage(f.villageId)) continue;
      let returnedAt = f.updatedAt ?? f.createdAt;
      if (f.events) for (let i = f.events.length - 1; i >= 0; i--) if (f.events[i]!.action === 'returned') { returnedAt = f.events[i]!.at; break; }
      const due = returnedAt.slice(0, 10) > today ? todayDay : day(returnedAt.slice(0, 10));
      const state = stateOf(due, due - W.filing.before.value, due + W.filing.after.value)!;
      push('filing-returned', f.id, due, due - W.filing.before.value, due + W.filing.after.value, state, f.memberId, f.householdId, f.villageId, 'high', 'filing-returned', { filingId: f.id });
    }
  }

  // Insurance for next year, during the contribution period.
  if (kinds.has('insurance')) {
    const period = contributionPeriod(pack, today);
    if (period) {
      const from = day(period.from);
      const until = day(period.until);
      const due = Math.max(from, until - pack.insurance.pressDays.value);
      const state = stateOf(due, from, until)!;
      const urgency: Urgency = state === 'upcoming' ? 'normal' : 'high';
      const params = { year: period.year, until: period.until };
      for (const m of active.values()) {
        if (m.insured.scheme === 'employee' || m.insured.year === period.year) continue;
        push('insurance', `${m.id}:${period.year}`, due, from, until, state, m.id, m.householdId, m.villageId, urgency, 'not-insured-next-year', params);
      }
    }
  }

  // Contracts to renew.
  if (kinds.has('contract-renewal')) {
    const latest = new Map<string, Contract>();
    for (const c of input.contracts) {
      if (!active.has(c.memberId) || c.signedOn > today) continue;
      const cur = latest.get(c.memberId);
      if (!cur || c.signedOn > cur.signedOn || (c.signedOn === cur.signedOn && c.validUntil > cur.validUntil)) latest.set(c.memberId, c);
    }
    const before = pack.contracts.renewBeforeDays.value;
    const after = pack.contracts.graceDays.value;
    for (const [memberId, c] of latest) {
      if (c.endedOn !== null && c.endedOn <= today) continue;
      const due = day(c.validUntil);
      const state = stateOf(due, due - before, due + after);
      if (state === null) continue;
      const m = active.get(memberId)!;
      push('contract-renewal', memberId, due, due - before, due + after, state, memberId, m.householdId, m.villageId, state === 'overdue' ? 'high' : 'normal', today > c.validUntil ? 'contract-lapsed' : 'contract-ends', { contractId: c.id, validUntil: c.validUntil });
    }
  }

  return sortItems(items, day);
}

/** Urgency, then overdue / due / upcoming, then due date, then generation order: one numeric key each. */
function sortItems(items: WorkItem[], day: (iso: string) => number): WorkItem[] {
  const n = items.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const it = items[i]!;
    const group = URGENCY_RANK[it.urgency] * 3 + STATE_RANK[it.state];
    keys[i] = (group * 131_072 + (day(it.due) + DAY_OFFSET)) * 4_194_304 + i;
  }
  keys.sort();
  const out = new Array<WorkItem>(n);
  for (let i = 0; i < n; i++) out[i] = items[keys[i]! % 4_194_304]!;
  return out;
}
