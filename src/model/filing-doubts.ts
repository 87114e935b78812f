/**
 * What the tablet warned the doctor of when filing, computed the same way on the county server so
 * that the reviewer sees it too: a grant's conditions the member does not meet on the day (e.g.
 * "须为晚期患者"), and the member's poverty status on the claim's date.
 */
import { grantEligibility, statusOn, type CompiledPack, type FilingTypeRule, type PersonStatus } from '../rules/index.ts';
import { historyFromRecords } from './estimate.ts';
import type { FilingContent } from './filing.ts';
import type { StatusRecord } from './roster.ts';

/** The reasons a grant's conditions are not met on `on`; empty when they are, or for other types. */
export function grantDoubts(pack: CompiledPack, type: FilingTypeRule, fields: FilingContent['fields'], statuses: readonly StatusRecord[], on: string): string[] {
  const g = type.grant ? pack.grants.find((x) => x.id === type.grant) : undefined;
  const d = g?.diseases.find((x) => x.id === fields.grantDisease);
  if (!g || !d || !fields.lateStage) return [];
  const status = statusOn(historyFromRecords([...statuses]), on < pack.from ? pack.from : on);
  const check = grantEligibility(pack, { date: on, status, disease: d.ranges[0]![0], lateStage: fields.lateStage === 'yes', received: [] }).find((x) => x.grant === g.id);
  return check && !check.eligible ? check.reasons : [];
}

/** The date a filing's claim is about: the discharge date when it has one, else the day it was filed. */
export function claimDateOf(fields: FilingContent['fields'], filedOn: string): string {
  const d = fields.dischargeDate?.trim();
  return d && /^\d{4}-\d{2}-\d{2}$/.test(d) ? d : filedOn;
}

/** The member's poverty status on a date, from the status records. */
export function statusOnDate(pack: CompiledPack, statuses: readonly StatusRecord[], on: string): PersonStatus {
  return statusOn(historyFromRecords([...statuses]), on < pack.from ? pack.from : on);
}
