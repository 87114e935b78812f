/**
 * The ledger's re-settlement: the member's recorded claims of a year settled again by the engine,
 * next to what each payer actually paid, with every difference named.
 */
import { PAYERS, RulesError, Settlement, statusOn, type CompiledPack, type DatedStatus, type Payer } from '../../../rules/index.ts';
import type { LedgerRow } from '../../db/schema.ts';

export interface Resettled {
  entry: LedgerRow;
  engine: { payers: number[]; patient: number } | null;
  error: { code: string; detail: string } | null;
  /** Payers (and "patient") where the engine differs from the slip. */
  differences: (Payer | 'patient')[];
}

export function recordedPatient(e: Pick<LedgerRow, 'total' | 'paid'>): number {
  return e.total - PAYERS.reduce((s, p) => s + (e.paid[p] ?? 0), 0);
}

/** Re-settles each year's entries in date order; entries under another pack are left out. */
export function resettle(pack: CompiledPack, history: DatedStatus[], entries: readonly LedgerRow[]): Resettled[] {
  const mine = entries.filter((e) => e.packId === pack.id).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.createdAt < b.createdAt ? -1 : 1));
  const out: Resettled[] = [];
  let st: Settlement | null = null;
  let year = '';
  for (const e of mine) {
    if (e.date.slice(0, 4) !== year) {
      year = e.date.slice(0, 4);
      st = new Settlement(pack, false);
    }
    const ci = pack.classIndex.get(e.facilityClass);
    try {
      if (ci === undefined) throw new RulesError('unknown-facility-class', 'facilityClass', e.facilityClass);
      const r = st!.settle({ date: e.date, kind: e.kind, classIndex: ci, total: e.total, outOfCatalog: e.outOfCatalog, disease: e.disease }, statusOn(history, e.date));
      const differences: Resettled['differences'] = PAYERS.filter((p, i) => (e.paid[p] ?? 0) !== r.payers[i]);
      if (recordedPatient(e) !== r.patient) differences.push('patient');
      out.push({ entry: e, engine: { payers: r.payers, patient: r.patient }, error: null, differences });
    } catch (err) {
      if (!(err instanceof RulesError)) throw err;
      out.push({ entry: e, engine: null, error: { code: err.code, detail: err.detail }, differences: [] });
    }
  }
  return out;
}
