/**
 * 村情: a village's figures from its records, pure (the tablet computes it from its store; the
 * county can run the same code on its records). Each figure keeps the ids behind it, so a tap on a
 * number lists the people it counts.
 */
import type { Member, StatusRecord } from '../roster.ts';
import { isRegisteredPoor } from '../roster.ts';
import { enrolmentDisease, type WorklistInput } from './worklist.ts';

export interface Figure {
  /** Who or what is counted (member, household or filing ids). */
  ids: string[];
  /** Out of how many, for a rate (null: a plain count). */
  of: number | null;
}

export interface VillageFigures {
  villageId: string;
  households: Figure;
  members: Figure;
  registeredPoor: Figure;
  monitored: Figure;
  insuredThisYear: Figure;
  contracted: Figure;
  /** 两病 patients, and those followed up this quarter (规范管理率). */
  twoDiseases: Figure;
  followedUpThisQuarter: Figure;
  /** Households visited this quarter, of all households. */
  visitedThisQuarter: Figure;
  filingsByStatus: Record<string, number>;
  /** Fen approved (approved or paid) and paid, this year. */
  approvedFen: number;
  paidFen: number;
}

/** The first day of the quarter of an ISO date. */
export function quarterStart(iso: string): string {
  const m = Number(iso.slice(5, 7));
  const q = Math.floor((m - 1) / 3) * 3 + 1;
  return `${iso.slice(0, 4)}-${String(q).padStart(2, '0')}-01`;
}

/** Each member's status in force on a date (the latest record from on or before it). */
function statusesOn(statuses: readonly StatusRecord[], on: string): Map<string, StatusRecord> {
  const out = new Map<string, StatusRecord>();
  for (const s of statuses) {
    if (s.from > on) continue;
    const cur = out.get(s.memberId);
    if (!cur || s.from > cur.from || (s.from === cur.from && s.createdAt > cur.createdAt)) out.set(s.memberId, s);
  }
  return out;
}

/** A filing as the figures read it: its status, and the amounts of its approval and payment events. */
export type DashboardFiling = Omit<WorklistInput['filings'][number], 'events'> & { events?: readonly { at: string; action: string; amount?: number }[] };

export type DashboardInput = Omit<WorklistInput, 'pack' | 'filings'> & { filings: readonly DashboardFiling[] };

/** A village's figures before anything is counted (the rates out of 0). */
export function emptyFigures(villageId: string): VillageFigures {
  const fig = (of: number | null = null): Figure => ({ ids: [], of });
  return { villageId, households: fig(), members: fig(), registeredPoor: fig(), monitored: fig(), insuredThisYear: fig(0), contracted: fig(0), twoDiseases: fig(), followedUpThisQuarter: fig(0), visitedThisQuarter: fig(0), filingsByStatus: {}, approvedFen: 0, paidFen: 0 };
}

/** The figures of every village the input holds (or of those given), in one pass over each table. */
export function villageFigures(input: DashboardInput, villageIds?: readonly string[]): VillageFigures[] {
  const { today } = input;
  const year = today.slice(0, 4);
  const q0 = quarterStart(today);
  const wanted = villageIds ? new Set(villageIds) : null;
  const byVillage = new Map<string, VillageFigures>();
  const v = (id: string): VillageFigures | null => {
    if (wanted && !wanted.has(id)) return null;
    let f = byVillage.get(id);
    if (!f) byVillage.set(id, (f = emptyFigures(id)));
    return f;
  };
  const active = new Map<string, Member>();
  for (const m of input.members) if (m.state === 'active') active.set(m.id, m);
  for (const h of input.households) v(h.villageId)?.households.ids.push(h.id);
  const status = statusesOn(input.statuses, today);
  const contracted = new Set(input.contracts.filter((c) => c.signedOn <= today && c.validUntil >= today && (c.endedOn === null || c.endedOn > today)).map((c) => c.memberId));
  for (const m of active.values()) {
    const f = v(m.villageId);
    if (!f) continue;
    f.members.ids.push(m.id);
    const s = status.get(m.id);
    if (s && isRegisteredPoor(s)) f.registeredPoor.ids.push(m.id);
    if (s?.poverty === 'monitored') f.monitored.ids.push(m.id);
    if (m.insured.scheme !== 'none' && m.insured.year !== null && String(m.insured.year) === year) f.insuredThisYear.ids.push(m.id);
    if (contracted.has(m.id)) f.contracted.ids.push(m.id);
  }
  const patients = new Set<string>();
  for (const e of input.enrolments) if (e.endedOn === null && enrolmentDisease(e) && active.has(e.memberId)) patients.add(e.memberId);
  for (const id of patients) v(active.get(id)!.villageId)?.twoDiseases.ids.push(id);
  const followed = new Set(input.followups.filter((f) => f.date >= q0 && f.date <= today && patients.has(f.memberId)).map((f) => f.memberId));
  for (const id of followed) v(active.get(id)!.villageId)?.followedUpThisQuarter.ids.push(id);
  const visited = new Set(input.visits.filter((x) => x.date >= q0 && x.date <= today).map((x) => x.householdId));
  for (const h of input.households) if (visited.has(h.id)) v(h.villageId)?.visitedThisQuarter.ids.push(h.id);
  for (const raw of input.filings) {
    const f = v(raw.villageId);
    if (!f) continue;
    f.filingsByStatus[raw.status] = (f.filingsByStatus[raw.status] ?? 0) + 1;
    for (const e of raw.events ?? []) {
      if (!e.at.startsWith(year) || typeof e.amount !== 'number') continue;
      if (e.action === 'approved') f.approvedFen += e.amount;
      if (e.action === 'paid') f.paidFen += e.amount;
    }
  }
  for (const f of byVillage.values()) {
    f.insuredThisYear.of = f.members.ids.length;
    f.contracted.of = f.members.ids.length;
    f.followedUpThisQuarter.of = f.twoDiseases.ids.length;
    f.visitedThisQuarter.of = f.households.ids.length;
  }
  return [...byVillage.values()];
}
