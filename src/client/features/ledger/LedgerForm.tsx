import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { amountOrFail, builtinPack, formatFen, isIsoDate, layerName, normalizeIcd, PAYERS, RulesError, type Payer } from '../../../rules/index.ts';
import { addLedgerEntry, updateLedgerEntry } from '../../db/repo.ts';
import { db, type LedgerRow } from '../../db/schema.ts';
import { packText, currentLang, today, yuan } from '../../i18n/index.ts';
import { useRouter } from '../../router.tsx';
import { ClaimKindField } from '../common/ClaimKindField.tsx';
import { Field } from '../common/Field.tsx';
import { SubmitForm } from '../common/SubmitForm.tsx';
import { FormActions } from '../common/FormActions.tsx';
import { useDraft } from '../common/useDraft.ts';

type Values = {
  date: string;
  kind: 'inpatient' | 'outpatient-chronic';
  disease: string;
  facilityClass: string;
  facilityName: string;
  total: string;
  outOfCatalog: string;
} & Record<`paid_${Payer}`, string>;

type Errors = Partial<Record<keyof Values | 'paid', string>>;

const toText = (fen: number | undefined) => (fen ? formatFen(fen) : '');

/** Records (or corrects) a claim from the hospital's settlement slip. */
export function LedgerForm({ memberId, entryId }: { memberId: string | null; entryId: string | null }) {
  const { t } = useTranslation();
  const { navigate } = useRouter();
  const lang = currentLang() === 'en' ? 'en' : 'zh-CN';
  const ctx = useLiveQuery(async () => {
    const d = db();
    const entry = entryId ? ((await d.ledger.get(entryId)) ?? null) : null;
    const m = await d.members.get(entry?.memberId ?? memberId ?? '');
    const v = m ? await d.villages.get(m.villageId) : undefined;
    return { entry, m: m ?? null, v: v ?? null };
  }, [memberId, entryId]);
  const initial: Values | null = !ctx
    ? null
    : ctx.entry
      ? {
          date: ctx.entry.date,
          kind: ctx.entry.kind,
          disease: ctx.entry.disease ?? '',
          facilityClass: ctx.entry.facilityClass,
          facilityName: ctx.entry.facilityName,
          total: formatFen(ctx.entry.total),
          outOfCatalog: formatFen(ctx.entry.outOfCatalog),
          ...(Object.fromEntries(PAYERS.map((p) => [`paid_${p}`, toText(ctx.entry!.paid[p])])) as Record<`paid_${Payer}`, string>),
        }
      : {
          date: today(),
          kind: 'inpatient',
          disease: '',
          facilityClass: '',
          facilityName: '',
          total: '',
          outOfCatalog: '',
          ...(Object.fromEntries(PAYERS.map((p) => [`paid_${p}`, ''])) as Record<`paid_${Payer}`, string>),
        };
  const { values, set, clear } = useDraft<Values>(entryId ? `ledger-${entryId}` : `ledger-new-${memberId}`, initial);
  const [errors, setErrors] = useState<Errors>({});
  if (!ctx || !values) return <p className="page">{t('common.loading')}</p>;
  if (!ctx.m || !ctx.v) return <p className="page">{t('notFound.title')}</p>;
  const pack = builtinPack(ctx.entry?.packId ?? ctx.v.packId);

  const money = (v: string, field: keyof Values, e: Errors, optional: boolean): number => {
    if (optional && v.trim() === '') return 0;
    try {
      return amountOrFail(v.trim() === '' ? undefined : v, field);
    } catch (err) {
      e[field] = t(`estimate.err.${(err as RulesError).code}`, { defaultValue: (err as RulesError).detail });
      return 0;
    }
  };

  const save = async () => {
    const e: Errors = {};
    if (!isIsoDate(values.date)) e.date = t('estimate.err.date');
    else if (values.date < pack.from) e.date = t('estimate.err.before-policy');
    else if (values.date > today()) e.date = t('ledger.dateFuture');
    if (!pack.classIndex.has(values.facilityClass)) e.facilityClass = t('errors.required', { field: t('estimate.facilityClass') });
    const total = money(values.total, 'total', e, false);
    const out = money(values.outOfCatalog, 'outOfCatalog', e, true);
    if (!e.total && !e.outOfCatalog && out > total) e.outOfCatalog = t('estimate.err.out-of-catalog-exceeds-total');
    let disease: string | null = null;
    if (values.kind === 'outpatient-chronic') {
      disease = normalizeIcd(values.disease);
      if (!disease) e.disease = t('enrolments.icdInvalid');
    }
    const paid: Record<string, number> = {};
    for (const p of PAYERS) paid[p] = money(values[`paid_${p}`], `paid_${p}`, e, true);
    const sum = Object.values(paid).reduce((a, b) => a + b, 0);
    if (!e.total && sum > total) e.paid = t('ledger.paidExceeds', { sum: yuan(sum), total: yuan(total) });
    setErrors(e);
    if (Object.keys(e).length > 0) return;
    const row = {
      memberId: ctx.m!.id,
      date: values.date,
      packId: pack.id,
      kind: values.kind,
      facilityClass: values.facilityClass,
      facilityName: values.facilityName.trim(),
      disease,
      total,
      outOfCatalog: out,
      paid,
    } satisfies Omit<LedgerRow, 'id' | 'createdAt' | 'updatedAt'>;
    if (ctx.entry) await updateLedgerEntry(ctx.entry.id, row);
    else await addLedgerEntry(row);
    clear();
    navigate(`/members/${ctx.m!.id}/ledger`, { replace: true });
  };

  const patientPreview = (() => {
    try {
      const total = amountOrFail(values.total, 'total');
      const sum = PAYERS.reduce((s, p) => s + (values[`paid_${p}`].trim() === '' ? 0 : amountOrFail(values[`paid_${p}`], p)), 0);
      return total - sum;
    } catch {
      return null;
    }
  })();

  return (
    <section className="page narrow">
      <h1>{ctx.entry ? t('ledger.edit') : t('ledger.addFor', { name: ctx.m.name })}</h1>
      <p className="muted">{t('ledger.formHelp')}</p>
      <SubmitForm onSubmit={() => void save()}>
        <div className="field-row">
          <Field id="date" label={t('ledger.date')} error={errors.date}>
            <input id="date" type="date" value={values.date} onChange={(e) => set('date', e.target.value)} />
          </Field>
          <ClaimKindField value={values.kind} onChange={(k) => set('kind', k)} />
        </div>
        {values.kind === 'outpatient-chronic' && (
          <Field id="disease" label={t('enrolments.icd')} error={errors.disease}>
            <input id="disease" value={values.disease} onChange={(e) => set('disease', e.target.value)} />
          </Field>
        )}
        <div className="field-row">
          <Field id="facilityClass" label={t('estimate.facilityClass')} error={errors.facilityClass}>
            <select id="facilityClass" value={values.facilityClass} onChange={(e) => set('facilityClass', e.target.value)}>
              <option value="">{t('forms.choose')}</option>
              {pack.classes.map((c) => (
                <option key={c.id} value={c.id}>
                  {packText(c)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="facilityName" label={t('ledger.facilityName')}>
            <input id="facilityName" list="pack-facilities" value={values.facilityName} onChange={(e) => set('facilityName', e.target.value)} />
            <datalist id="pack-facilities">
              {pack.facilities.map((f) => (
                <option key={f.id} value={packText(f.name)} />
              ))}
            </datalist>
          </Field>
        </div>
        <div className="field-row">
          <Field id="total" label={t('estimate.total')} error={errors.total}>
            <input id="total" inputMode="decimal" value={values.total} onChange={(e) => set('total', e.target.value)} />
          </Field>
          <Field id="outOfCatalog" label={t('estimate.outOfCatalog')} error={errors.outOfCatalog}>
            <input id="outOfCatalog" inputMode="decimal" value={values.outOfCatalog} onChange={(e) => set('outOfCatalog', e.target.value)} />
          </Field>
        </div>
        <fieldset>
          <legend>{t('ledger.paidBy')}</legend>
          <div className="field-row">
            {PAYERS.map((p) => (
              <Field key={p} id={`paid_${p}`} label={layerName(p, currentLang())} error={errors[`paid_${p}`]}>
                <input id={`paid_${p}`} inputMode="decimal" value={values[`paid_${p}`]} onChange={(e) => set(`paid_${p}`, e.target.value)} placeholder="0.00" />
              </Field>
            ))}
          </div>
          {errors.paid && <p className="error" role="alert">{errors.paid}</p>}
          {patientPreview !== null && <p className="hint">{t('ledger.patientPreview', { amount: yuan(patientPreview) })}</p>}
        </fieldset>
        <FormActions />
      </SubmitForm>
    </section>
  );
}
