/**
 * Pure evaluation of a two-disease follow-up against a care-plan pack: its classification
 * (控制满意 / 控制不满意 / 不良反应 / 并发症) with the thresholds it used (for the screen to show, with
 * their sources), the danger readings that call for urgent referral, and the next due date; and the
 * task windows of the work list (Medic CHT's tasks: shown from N days before the due date until M
 * days after, then overdue). No clock: the caller passes the dates.
 */
import { addDays, addMonths, dayOf, yearsOn } from '../days.ts';
import type { CareParam, CarePack, TaskWindow } from './pack.ts';
import type { Classification, Disease, Followup, Readings, Symptom } from './records.ts';

/** A threshold the evaluation compared a reading with, for display. */
export interface ThresholdUsed {
  param: string;
  value: number | string | Symptom[];
  source: CareParam<unknown>['source'];
  note?: string;
}

export type DangerCode = 'sbp-high' | 'dbp-high' | 'heart-rate-high' | 'glucose-high' | 'glucose-low' | 'danger-symptom' | 'sign-above-target';

export interface DangerFlag {
  code: DangerCode;
  /** The parameter that raised it. */
  param: string;
  /** The reading (its unit as in the record) or the symptom code. */
  reading: number | Symptom;
  threshold: number | null;
}

export interface Evaluation {
  classification: Classification;
  /** Whether the readings meet the target; null when the reading the target needs was not taken. */
  controlled: boolean | null;
  thresholds: ThresholdUsed[];
  danger: DangerFlag[];
  /** A danger reading: refer at once (须在处理后紧急转诊). */
  urgentReferral: boolean;
  /** A complication, or the pack's number of unsatisfactory follow-ups in a row: suggest referral. */
  referralSuggested: boolean;
}

export type FollowupFacts = Pick<Followup, 'disease' | 'readings' | 'symptoms' | 'adverseReaction' | 'complication'>;

export interface EvaluateContext {
  /** The member's birth date (the blood-pressure target differs at 65); null uses the general target. */
  birthDate?: string | null;
  /** The date of the follow-up, for the age. */
  date: string;
  /** The effective classifications of the member's earlier follow-ups of the same disease, latest first. */
  previous?: readonly Classification[];
}

function used(p: CareParam<unknown>): ThresholdUsed {
  const t: ThresholdUsed = { param: p.name, value: p.value as ThresholdUsed['value'], source: p.source };
  if (p.note !== undefined) t.note = p.note;
  return t;
}

/** Whether the readings meet the disease's target, and the thresholds that decided it. */
export function control(pack: CarePack, disease: Disease, r: Readings, age: number | null): { controlled: boolean | null; thresholds: ThresholdUsed[] } {
  const rules = pack.followup[disease];
  const thresholds: ThresholdUsed[] = [];
  let controlled: boolean | null = true;
  if (rules.targets.length > 0) {
    let target = rules.targets[0]!;
    if (age !== null) for (const t of rules.targets) if (age >= t.minAge.value) target = t;
    thresholds.push(used(target.sbpBelow), used(target.dbpBelow));
    if (target.minAge.value > 0) thresholds.push(used(target.minAge));
    if (r.sbp === null || r.dbp === null) controlled = null;
    else if (!(r.sbp < target.sbpBelow.value && r.dbp < target.dbpBelow.value)) controlled = false;
  }
  if (rules.glucoseBelow !== null) {
    thresholds.push(used(rules.glucoseBelow));
    if (r.glucoseTenthMmol === null) controlled = controlled === false ? false : null;
    else if (!(r.glucoseTenthMmol < rules.glucoseBelow.value)) controlled = false;
  }
  return { controlled, thresholds };
}

/** The danger readings and signs of a follow-up (urgent referral when any). */
export function dangerFlags(pack: CarePack, f: Pick<FollowupFacts, 'disease' | 'readings' | 'symptoms'>, controlled: boolean | null): DangerFlag[] {
  const d = pack.followup[f.disease].danger;
  const r = f.readings;
  const out: DangerFlag[] = [];
  const at = (p: CareParam<number> | null, x: number | null, code: DangerCode, test: (x: number, t: number) => boolean) => {
    if (p !== null && x !== null && test(x, p.value)) out.push({ code, param: p.name, reading: x, threshold: p.value });
  };
  at(d.sbpAtLeast, r.sbp, 'sbp-high', (x, t) => x >= t);
  at(d.dbpAtLeast, r.dbp, 'dbp-high', (x, t) => x >= t);
  at(d.heartRateAbove, r.heartRate, 'heart-rate-high', (x, t) => x > t);
  at(d.glucoseAtLeast, r.glucoseTenthMmol, 'glucose-high', (x, t) => x >= t);
  at(d.glucoseAtMost, r.glucoseTenthMmol, 'glucose-low', (x, t) => x <= t);
  for (const s of f.symptoms) {
    if (d.symptoms.value.includes(s)) out.push({ code: 'danger-symptom', param: d.symptoms.name, reading: s, threshold: null });
    else if (controlled === false && d.symptomsAboveTarget.value.includes(s)) out.push({ code: 'sign-above-target', param: d.symptomsAboveTarget.name, reading: s, threshold: null });
  }
  return out;
}

/**
 * Classifies a follow-up. The form takes one class; when several apply the gravest wins:
 * 并发症 (a new or worse complication), then 不良反应 (an adverse drug reaction), then 控制不满意
 * (above target, or the reading the target needs not taken), else 控制满意.
 */
export function evaluateFollowup(pack: CarePack, f: FollowupFacts, ctx: EvaluateContext): Evaluation {
  const age = ctx.birthDate ? yearsOn(ctx.birthDate, ctx.date) : null;
  const { controlled, thresholds } = control(pack, f.disease, f.readings, age);
  const danger = dangerFlags(pack, f, controlled);
  const classification: Classification = f.complication.present ? 'complication' : f.adverseReaction.present ? 'adverse-reaction' : controlled === true ? 'satisfactory' : 'unsatisfactory';
  // 连续两次控制不满意或不良反应难以控制，以及出现新的并发症或原有并发症加重：建议转诊.
  const n = pack.followup.referAfterUnsatisfactory.value;
  let run = classification === 'unsatisfactory' || classification === 'adverse-reaction' ? 1 : 0;
  for (const c of ctx.previous ?? []) {
    if (run === 0 || run >= n) break;
    if (c === 'unsatisfactory' || c === 'adverse-reaction') run++;
    else break;
  }
  return { classification, controlled, thresholds, danger, urgentReferral: danger.length > 0, referralSuggested: classification === 'complication' || run >= n };
}

/** The class that decides what comes next: the doctor's override, else the computed one. */
export function effectiveClassification(f: Pick<Followup, 'classification' | 'override'>): Classification {
  return f.override?.classification ?? f.classification;
}

export interface NextDue {
  due: string;
  /** 'recheck': two weeks after poor control, an adverse reaction, a complication or a referral. */
  rule: 'recheck' | 'routine';
  param: string;
}

/**
 * The latest date the next follow-up is due by, from the pack: within the re-check interval after
 * anything but a satisfactory follow-up or after a referral, otherwise within the routine interval.
 */
export function nextDueDate(pack: CarePack, date: string, classification: Classification, referred: boolean): NextDue {
  if (classification !== 'satisfactory' || referred) {
    return { due: addDays(date, pack.followup.recheckDays.value), rule: 'recheck', param: pack.followup.recheckDays.name };
  }
  return { due: addMonths(date, pack.followup.routineMonths.value), rule: 'routine', param: pack.followup.routineMonths.name };
}

/**
 * When the next follow-up after a saved one is due: the pack's date, or the appointment agreed with
 * the patient when it is sooner (an appointment later than the pack allows does not defer it).
 */
export function followupDue(pack: CarePack, f: Pick<Followup, 'date' | 'classification' | 'override' | 'referral' | 'nextDue'>): NextDue {
  const n = nextDueDate(pack, f.date, effectiveClassification(f), f.referral !== null);
  return f.nextDue < n.due ? { ...n, due: f.nextDue } : n;
}

// ---------------------------------------------------------------------------------------------
// Task windows (CHT-style)

export type TaskState = 'hidden' | 'upcoming' | 'due' | 'overdue';

export interface Window {
  from: string;
  until: string;
}

export function taskWindow(due: string, w: TaskWindow): Window {
  return { from: addDays(due, -w.before.value), until: addDays(due, w.after.value) };
}

/**
 * Where today falls: before the window opens a task is hidden; from the day it opens until the day
 * before it is due, upcoming; from the due day to the window's last day, due; after that, overdue.
 */
export function taskState(today: string, due: string, window: Window): TaskState {
  if (today < window.from) return 'hidden';
  if (today < due) return 'upcoming';
  if (today <= window.until) return 'due';
  return 'overdue';
}

/** Days from one ISO date to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayOf(to) - dayOf(from);
}
