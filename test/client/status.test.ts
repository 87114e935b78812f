/**
 * Dated status records and chronic-disease enrolments on the tablet: a future date is refused by
 * name; a wrong status is corrected or removed, and an enrolment ended or its ending undone, each
 * with an audit row and an outbox row in the same transaction.
 */
import 'fake-indexeddb/auto';
import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { localToday } from '../../src/model/idcard.ts';
import type { StatusRecord } from '../../src/model/roster.ts';
import { addEnrolment, addStatus, deleteStatus, endEnrolment, InputError, reopenEnrolment, updateStatus } from '../../src/client/db/repo.ts';
import { CunyiDb } from '../../src/client/db/schema.ts';
import { statusFormValues } from '../../src/client/features/members/status-values.ts';
import { en } from '../../src/client/i18n/en.ts';
import { zhCN } from '../../src/client/i18n/zh-CN.ts';

const shift = (days: number) => {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return localToday(d);
};
const today = localToday();
const tomorrow = shift(1);

const fresh = () => new CunyiDb(`status-${Date.now()}-${Math.random()}`);
const poor = (from: string, over: Partial<StatusRecord> = {}) => ({ from, poverty: 'poor' as const, poorClass: null, assistance: null, note: null, ...over });

beforeAll(async () => {
  await i18next.init({ resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } }, lng: 'zh-CN', interpolation: { escapeValue: false } });
});

describe('a status dated in the future', () => {
  it('is refused by addStatus with a message naming the field, in the user’s language; nothing is written', async () => {
    const d = fresh();
    const e = await addStatus('M1', poor(tomorrow), d).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).field).toBe('from');
    expect((e as InputError).message).toBe('生效日期不能晚于今天');
    await i18next.changeLanguage('en');
    expect(((await addStatus('M1', poor(tomorrow), d).catch((x: unknown) => x)) as Error).message).toBe('“Effective from” cannot be later than today');
    await i18next.changeLanguage('zh-CN');
    expect(await d.statuses.count()).toBe(0);
    expect(await d.outbox.count()).toBe(0);
    expect(await d.audit.count()).toBe(0);
    // today is fine
    await addStatus('M1', poor(today), d);
    expect(await d.statuses.count()).toBe(1);
  });
  it('is refused by a correction too', async () => {
    const d = fresh();
    const s = await addStatus('M1', poor('2019-01-01'), d);
    await expect(updateStatus(s.id, { from: tomorrow }, d)).rejects.toBeInstanceOf(InputError);
    expect((await d.statuses.get(s.id))!.from).toBe('2019-01-01');
  });
});

describe('correcting and removing a status record', () => {
  it('a correction sends only the changed fields, on the county’s revision when the row has one', async () => {
    const d = fresh();
    const s = await addStatus('M1', poor('2019-01-01'), d);
    // never pulled from the county: no revision to send
    await updateStatus(s.id, { poverty: 'poor', assistance: 'dibao', note: null }, d);
    // as pulled from the county, with its revision
    await d.statuses.put({ ...(await d.statuses.get(s.id))!, rev: 3 } as StatusRecord);
    await updateStatus(s.id, { from: '2019-02-01' }, d);
    const row = (await d.statuses.get(s.id))! as StatusRecord & { rev?: number };
    expect(row).toMatchObject({ from: '2019-02-01', poverty: 'poor', assistance: 'dibao' });
    expect(row.rev).toBe(4);
    const out = await d.outbox.orderBy('seq').toArray();
    expect(out.map((o) => [o.op, o.baseRev, o.data])).toEqual([
      ['create', null, expect.objectContaining({ id: s.id })],
      ['update', null, { assistance: 'dibao' }],
      ['update', 3, { from: '2019-02-01' }],
    ]);
    const audit = await d.audit.where('[entity+entityId]').equals(['status', s.id]).toArray();
    expect(audit.map((a) => [a.action, a.changes])).toEqual([
      ['create', expect.anything()],
      ['update', { assistance: [null, 'dibao'] }],
      ['update', { from: ['2019-01-01', '2019-02-01'] }],
    ]);
    // no change, nothing written
    await updateStatus(s.id, { from: '2019-02-01' }, d);
    expect(await d.outbox.count()).toBe(3);
  });

  it('a removal deletes the row with an audit row keeping what it held and a delete for the county', async () => {
    const d = fresh();
    const s = await addStatus('M1', poor('2019-01-01', { note: '晋扶贫〔2019〕1号' }), d);
    await d.statuses.put({ ...s, rev: 2 } as StatusRecord);
    await deleteStatus(s.id, d);
    expect(await d.statuses.get(s.id)).toBeUndefined();
    const last = (await d.outbox.orderBy('seq').last())!;
    expect([last.op, last.entity, last.entityId, last.baseRev, last.data]).toEqual(['delete', 'status', s.id, 2, {}]);
    const audit = (await d.audit.where('[entity+entityId]').equals(['status', s.id]).last())!;
    expect(audit.action).toBe('delete');
    expect(audit.changes.poverty).toEqual(['poor', null]);
    expect(audit.changes.note).toEqual(['晋扶贫〔2019〕1号', null]);
  });
});

describe('the status form starts from the status in force today', () => {
  it('prefills poverty, class and assistance from the current record, not from a fixed choice', () => {
    const t = '2020-01-01T00:00:00.000Z';
    const history: StatusRecord[] = [
      { id: 'a', memberId: 'M1', from: '2016-03-01', poverty: 'poor', poorClass: 2, assistance: 'tekun', note: null, createdAt: t },
      { id: 'b', memberId: 'M1', from: '2099-01-01', poverty: 'lifted', poorClass: null, assistance: null, note: null, createdAt: t },
    ];
    expect(statusFormValues(history, '2024-05-01')).toEqual({ poverty: 'poor', poorClass: '2', assistance: 'tekun', statusFrom: '2024-05-01', note: '' });
    expect(statusFormValues([], '2024-05-01')).toEqual({ poverty: 'none', poorClass: '', assistance: '', statusFrom: '2024-05-01', note: '' });
  });
});

describe('ending a chronic-disease certification', () => {
  const enrolment = { memberId: 'M1', villageId: 'V1', packId: 'CN-140000-2017', entryId: 'hypertension', icd: 'I10', category: 'special' as const, certifiedOn: '2020-05-01', hospital: '交口县人民医院', annualLimit: 300_000 };

  it('refuses an end date in the future or before the certification, by name', async () => {
    const d = fresh();
    const e = await addEnrolment(enrolment, d);
    const future = (await endEnrolment(e.id, tomorrow, d).catch((x: unknown) => x)) as InputError;
    expect(future).toBeInstanceOf(InputError);
    expect([future.field, future.message]).toEqual(['endedOn', '终止日期不能晚于今天']);
    const early = (await endEnrolment(e.id, '2020-04-30', d).catch((x: unknown) => x)) as InputError;
    expect(early).toBeInstanceOf(InputError);
    expect(early.message).toContain('终止日期不能早于认定日期');
    expect((await d.enrolments.get(e.id))!.endedOn).toBeNull();
    expect(await d.outbox.count()).toBe(1);
  });

  it('ends it on the date given, and an undo sets it back, each with audit and outbox rows', async () => {
    const d = fresh();
    const e = await addEnrolment(enrolment, d);
    await endEnrolment(e.id, '2020-05-01', d);
    expect((await d.enrolments.get(e.id))!.endedOn).toBe('2020-05-01');
    await reopenEnrolment(e.id, d);
    expect((await d.enrolments.get(e.id))!.endedOn).toBeNull();
    const out = await d.outbox.orderBy('seq').toArray();
    expect(out.map((o) => [o.op, o.data])).toEqual([
      ['create', expect.anything()],
      ['update', { endedOn: '2020-05-01' }],
      ['update', { endedOn: null }],
    ]);
    const audit = await d.audit.where('[entity+entityId]').equals(['enrolment', e.id]).toArray();
    expect(audit.slice(1).map((a) => a.changes)).toEqual([{ endedOn: [null, '2020-05-01'] }, { endedOn: ['2020-05-01', null] }]);
  });
});
