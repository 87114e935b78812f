import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { addHousehold, DuplicateError, updateHousehold } from '../../db/repo.ts';
import { db } from '../../db/schema.ts';
import { useRouter } from '../../router.tsx';
import { Field } from '../common/Field.tsx';
import { SubmitForm } from '../common/SubmitForm.tsx';
import { FormActions } from '../common/FormActions.tsx';
import { DraftBanner } from '../common/DraftBanner.tsx';
import { useDraft } from '../common/useDraft.ts';
import { checkPhone } from '../../../model/contact.ts';

type Values = { villageId: string; number: string; address: string; phone: string };

export function HouseholdForm({ householdId }: { householdId: string | null }) {
  const { t } = useTranslation();
  const { loc, navigate } = useRouter();
  const villages = useLiveQuery(() => db().villages.orderBy('code').toArray(), []);
  const existing = useLiveQuery(async () => (householdId ? ((await db().households.get(householdId)) ?? null) : null), [householdId]);
  const initial: Values | null =
    householdId === null
      ? { villageId: loc.query.get('village') ?? '', number: '', address: '', phone: '' }
      : existing
        ? { villageId: existing.villageId, number: existing.number, address: existing.address, phone: existing.phone ?? '' }
        : null;
  const formId = householdId ? `household-${householdId}` : `household-new-${loc.query.get('village') ?? ''}`;
  const { values, set, restored, clear, discard } = useDraft<Values>(formId, initial);
  const [errors, setErrors] = useState<Partial<Record<keyof Values, string>>>({});
  const [saving, setSaving] = useState(false);

  if (!values || !villages) return <p className="page">{t('common.loading')}</p>;

  const validate = (): Partial<Record<keyof Values, string>> => {
    const e: Partial<Record<keyof Values, string>> = {};
    if (!values.villageId) e.villageId = t('errors.required', { field: t('households.village') });
    if (!/^[0-9A-Za-z-]{1,20}$/.test(values.number.trim())) e.number = t('households.numberInvalid');
    if (values.address.trim().length < 2) e.address = t('errors.required', { field: t('households.address') });
    if (values.phone.trim() !== '') {
      const p = checkPhone(values.phone);
      if (!p.ok) e.phone = t(`errors.phone.${p.problem}`);
    }
    return e;
  };

  const save = async () => {
    const e = validate();
    setErrors(e);
    if (Object.keys(e).length > 0) return;
    setSaving(true);
    try {
      const phone = values.phone.trim() === '' ? null : (checkPhone(values.phone) as { ok: true; phone: string }).phone;
      const row = householdId
        ? await updateHousehold(householdId, { number: values.number.trim(), address: values.address.trim(), phone })
        : await addHousehold({ villageId: values.villageId, number: values.number.trim(), address: values.address.trim(), phone });
      clear();
      navigate(`/households/${row.id}`, { replace: true });
    } catch (err) {
      if (err instanceof DuplicateError) setErrors({ number: t('households.numberTaken') });
      else setErrors({ number: t('errors.saveFailed', { reason: (err as Error).message }) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="page narrow">
      <h1>{householdId ? t('households.edit') : t('households.add')}</h1>
      <DraftBanner restored={restored} onDiscard={discard} />
      <SubmitForm onSubmit={() => void save()}>
        <Field id="villageId" label={t('households.village')} error={errors.villageId}>
          <select id="villageId" value={values.villageId} disabled={householdId !== null} onChange={(e) => set('villageId', e.target.value)}>
            <option value="">{t('forms.choose')}</option>
            {villages.map((v) => (
              <option key={v.id} value={v.id}>
                {v.townshipName} · {v.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="number" label={t('households.number')} error={errors.number} hint={t('households.numberHint')}>
          <input id="number" inputMode="numeric" value={values.number} onChange={(e) => set('number', e.target.value)} aria-invalid={!!errors.number} />
        </Field>
        <Field id="address" label={t('households.address')} error={errors.address}>
          <input id="address" value={values.address} onChange={(e) => set('address', e.target.value)} aria-invalid={!!errors.address} />
        </Field>
        <Field id="phone" label={t('households.phone')} error={errors.phone}>
          <input id="phone" type="tel" inputMode="tel" value={values.phone} onChange={(e) => set('phone', e.target.value)} aria-invalid={!!errors.phone} />
        </Field>
        <FormActions saving={saving} />
      </SubmitForm>
    </section>
  );
}
