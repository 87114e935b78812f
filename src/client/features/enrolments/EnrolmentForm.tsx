import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { builtinPack, normalizeIcd } from '../../../rules/index.ts';
import { addEnrolment } from '../../db/repo.ts';
import { db } from '../../db/schema.ts';
import { packText, currentLang, today, yuan } from '../../i18n/index.ts';
import { useRouter } from '../../router.tsx';
import { Field } from '../common/Field.tsx';
import { SubmitForm } from '../common/SubmitForm.tsx';
import { FormActions } from '../common/FormActions.tsx';
import { useDraft } from '../common/useDraft.ts';

type Values = { entryId: string; icd: string; certifiedOn: string; hospital: string };

/** Chronic-disease enrolment (慢特病/两病 认定): the disease comes from the county's policy pack. */
export function EnrolmentForm({ memberId }: { memberId: string }) {
  const { t } = useTranslation();
  const { navigate } = useRouter();
  const lang = currentLang() === 'en' ? 'en' : 'zh-CN';
  const ctx = useLiveQuery(async () => {
    const m = await db().members.get(memberId);
    const v = m ? await db().villages.get(m.villageId) : undefined;
    return { m: m ?? null, v: v ?? null };
  }, [memberId]);
  const { values, set, clear } = useDraft<Values>(`enrolment-${memberId}`, { entryId: '', icd: '', certifiedOn: today(), hospital: '' });
  const [errors, setErrors] = useState<Partial<Record<keyof Values, string>>>({});
  if (!ctx || !values) return <p className="page">{t('common.loading')}</p>;
  if (!ctx.m || !ctx.v) return <p className="page">{t('notFound.title')}</p>;
  const pack = builtinPack(ctx.v.packId);
  const entries = pack.outpatient?.entries ?? [];
  const entry = entries.find((e) => e.id === values.entryId) ?? null;

  const save = async () => {
    const e: Partial<Record<keyof Values, string>> = {};
    if (!entry) e.entryId = t('errors.required', { field: t('enrolments.disease') });
    const code = normalizeIcd(values.icd);
    if (!code) e.icd = t('enrolments.icdInvalid');
    else if (entry && !entry.ranges.some(([a, b]) => code.slice(0, 3) >= a && code.slice(0, 3) <= b)) {
      e.icd = t('enrolments.icdOutside', { ranges: entry.ranges.map(([a, b]) => (a === b ? a : `${a}–${b}`)).join(', ') });
    }
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(values.certifiedOn) || values.certifiedOn > today()) e.certifiedOn = t('enrolments.dateInvalid');
    if (values.hospital.trim().length < 2) e.hospital = t('errors.required', { field: t('enrolments.hospital') });
    setErrors(e);
    if (Object.keys(e).length || !entry || !code) return;
    await addEnrolment({
      memberId,
      villageId: ctx.m!.villageId,
      packId: pack.id,
      entryId: entry.id,
      icd: code,
      category: entry.category,
      certifiedOn: values.certifiedOn,
      hospital: values.hospital.trim(),
      annualLimit: entry.annualLimit.v,
    });
    clear();
    navigate(`/members/${memberId}`, { replace: true });
  };

  return (
    <section className="page narrow">
      <h1>{t('enrolments.addFor', { name: ctx.m.name })}</h1>
      {entries.length === 0 ? (
        <p className="banner warn">{t('enrolments.noTable', { pack: packText(pack.name) })}</p>
      ) : (
        <SubmitForm onSubmit={() => void save()}>
          <Field id="entryId" label={t('enrolments.disease')} error={errors.entryId}>
            <select
              id="entryId"
              value={values.entryId}
              onChange={(e) => {
                set('entryId', e.target.value);
                const en = entries.find((x) => x.id === e.target.value);
                if (en && !values.icd) set('icd', en.ranges[0]![0]);
              }}
            >
              <option value="">{t('forms.choose')}</option>
              {entries.map((en) => (
                <option key={en.id} value={en.id}>
                  {packText(en.name)} ({en.ranges.map(([a, b]) => (a === b ? a : `${a}–${b}`)).join(', ')}) · {t(`enrolments.category.${en.category}`)}
                </option>
              ))}
            </select>
          </Field>
          {entry && (
            <p className="hint" data-testid="entry-limit">
              {t('enrolments.ruleSummary', { ratio: `${entry.ratio.v / 100}%`, limit: yuan(entry.annualLimit.v) })}
            </p>
          )}
          <Field id="icd" label={t('enrolments.icd')} error={errors.icd}>
            <input id="icd" value={values.icd} onChange={(e) => set('icd', e.target.value)} autoCapitalize="characters" />
          </Field>
          <Field id="certifiedOn" label={t('enrolments.certifiedOn')} error={errors.certifiedOn}>
            <input id="certifiedOn" type="date" value={values.certifiedOn} onChange={(e) => set('certifiedOn', e.target.value)} />
          </Field>
          <Field id="hospital" label={t('enrolments.hospital')} error={errors.hospital}>
            <input id="hospital" value={values.hospital} onChange={(e) => set('hospital', e.target.value)} />
          </Field>
          <FormActions />
        </SubmitForm>
      )}
    </section>
  );
}
