import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { addLedgerEntry, deleteLedgerEntry, updateLedgerEntry } from '../../src/client/db/repo.ts';
import { CunyiDb, type LedgerRow } from '../../src/client/db/schema.ts';
import { recordedPatient, resettle } from '../../src/client/features/ledger/logic.ts';
import { builtinPack } from '../../src/rules/index.ts';

const slip = (over: Partial<LedgerRow> = {}): Omit<LedgerRow, 'id' | 'createdAt' | 'updatedAt'> => ({
  memberId: 'M1',
  date: '2018-03-02',
  packId: 'CN-140000-2017',
  kind: 'inpatient',
  facilityClass: 'county',
  facilityName: '交口县人民医院',
  disease: null,
  total: 3_000_000,
  outOfCatalog: 300_000,
  paid: { basic: 2_120_000, critical: 0, backstop: 480_000, supplementary: 255_000, assistance: 0, hospital: 0 },
  ...over,
});

describe('the medical ledger', () => {
  it('records, corrects and deletes entries, each with an audit row and an outbox row', async () => {
    const d = new CunyiDb(`ledger-${Date.now()}`);
    const e = await addLedgerEntry(slip(), d);
    await updateLedgerEntry(e.id, { paid: { ...e.paid, supplementary: 250_000 } }, d);
    expect((await d.ledger.get(e.id))!.paid.supplementary).toBe(250_000);
    await deleteLedgerEntry(e.id, d);
    expect(await d.ledger.get(e.id)).toBeUndefined();
    const audit = await d.audit.where('[entity+entityId]').equals(['ledger', e.id]).toArray();
    expect(audit.map((a) => a.action)).toEqual(['create', 'update', 'delete']);
    expect(audit[1]!.changes.paid).toEqual([e.paid, { ...e.paid, supplementary: 250_000 }]);
    expect(audit[2]!.changes.total).toEqual([3_000_000, null]); // what was deleted is kept in the log
    expect((await d.outbox.toArray()).map((o) => o.op)).toEqual(['create', 'update', 'delete']);
  });

  it('re-settles the year and names each payer where the slip differs', () => {
    const pack = builtinPack('CN-140000-2017');
    const history = [{ from: null, registeredPoor: true, poorClass: null, assistance: null }];
    const t = '2018-01-01T00:00:00Z';
    const rows: LedgerRow[] = [
      { ...slip(), id: 'a', createdAt: t, updatedAt: t },
      { ...slip({ date: '2018-05-01', paid: { basic: 2_120_000, critical: 0, backstop: 500_000, supplementary: 255_000, assistance: 0, hospital: 0 } }), id: 'b', createdAt: t, updatedAt: t },
      { ...slip({ date: '2019-01-05', facilityClass: 'village' }), id: 'c', createdAt: t, updatedAt: t },
    ];
    const r = resettle(pack, history, rows);
    expect(r[0]!.differences).toEqual([]);
    expect(recordedPatient(r[0]!.entry)).toBe(145_000);
    // the second stay of the year: the critical base passes 10,000 (1,600 × 75% = 1,200) and the
    // 1,000 burden is used up, so the backstop pays the 4,600 left; the slip said 5,000 and no critical
    expect(r[1]!.engine!.payers.slice(1, 3)).toEqual([120_000, 460_000]);
    expect(r[1]!.differences).toEqual(['critical', 'backstop', 'patient']);
    expect(r[2]!.error!.code).toBe('unknown-facility-class');
  });
});
