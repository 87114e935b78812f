import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { builtinPack } from '../../../rules/index.ts';
import { addStatus, InputError, updateStatus } from '../../db/repo.ts';
import { db } from '../../db/schema.ts';
import { today } from '../../i18n/index.ts';
import { useRouter } from '../../router.tsx';
import { Field } from '../common/Field.tsx';
import { SubmitForm } from '../common/SubmitForm.tsx';
import { FormActions } from '../common/FormActions.tsx';
import { DraftBanner } from '../common/DraftBanner.tsx';
import { useDraft } from '../common/useDraft.ts';
import { StatusFields } from './MemberForm.tsx';
import { recordOf, statusFormValues, valuesOf, type StatusValues } from './status-values.ts';

type Values = StatusValues;
type Errors = Partial<Record<keyof Values, string>>;

/** Store field names to the form's. */
const FIELD: Record<string, keyof Values> = { from: 'statusFrom', poverty: 'poverty', poorClass: 'poorClass', assistance: 'assistance', note: 'note' };

/**
 * A new dated status, starting from the one in force today (it applies from its date on; earlier
 * claims keep the status they had). With `?correct=<id>`, the correction of that record instead:
 * a record entered wrongly, fixed in place.
 */
export function StatusForm({ memberId }: { memberId: string }) {
  const { t } = useTranslation();
  const { loc, navigate } = useRouter();
  const correctId = loc.query.get('correct');
  const ctx = useLiveQuery(async () => {
    const d = db();
    const m = await d.members.get(memberId);
    const v = m ? await d.villages.get(m.villageId) : undefined;
    const history = await d.statuses.where('memberId').equals(memberId).toArray();
    return { m: m ?? null, v: v ?? null, history };
  }, [memberId]);
  const on = today();
  const target = correctId ? (ctx?.history.find((s) => s.id === correctId) ?? null) : null;
  const initial: Values | null = !ctx ? null : correctId ? (target ? valuesOf(target) : null) : statusFormValues(ctx.history, on);
  const { values, set, restored, clear, discard } = useDraft<Values>(correctId ? `status-correct-${correctId}` : `status-${memberId}`, initial);
  const [errors, setErrors] = useState<Errors>({});
  const [saving, setSaving] = useState(false);
  if (!ctx) return <p className="page">{t('common.loading')}</p>;
  if (!ctx.m) return <p className="page">{t('notFound.title')}</p>;
  if (correctId && !target) return <p className="page">{t('status.correctMissing')}</p>;
  if (!values) return <p className="page">{t('common.loading')}</p>;
  const classes = ctx.v ? builtinPack(ctx.v.packId).poorClasses : false;

  const save = async () => {
    const e: Errors = {};
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(values.statusFrom)) e.statusFrom = t('errors.required', { field: t('status.from') });
    else if (values.statusFrom > today()) e.statusFrom = t('errors.future', { field: t('status.from') });
    if (classes && values.poverty !== 'none' && !values.poorClass) e.poorClass = t('status.classRequired');
    setErrors(e);
    if (Object.keys(e).length) {
      document.getElementById(Object.keys(e)[0]!)?.focus();
      return;
    }
    setSaving(true);
    try {
      if (target) await updateStatus(target.id, recordOf(values));
      else await addStatus(memberId, recordOf(values));
      clear();
      navigate(`/members/${memberId}`, { replace: true });
    } catch (err) {
      if (err instanceof InputError) setErrors({ [FIELD[err.field] ?? 'statusFrom']: err.message });
      else setErrors({ statusFrom: t('errors.saveFailed', { reason: (err as Error).message }) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="page narrow">
      <h1>{target ? t('status.correctFor', { name: ctx.m.name }) : t('status.addFor', { name: ctx.m.name })}</h1>
      <DraftBanner restored={restored} onDiscard={discard} />
      <p className="hint" data-testid="status-form-hint">
        {target ? t('status.correctHint') : t('status.prefilled')}
      </p>
      <SubmitForm onSubmit={() => void save()}>
        <StatusFields values={values} set={set} errors={errors} classes={classes} maxDate={on} />
        <Field id="note" label={t('status.note')} error={errors.note}>
          <input id="note" value={values.note} onChange={(e) => set('note', e.target.value)} />
        </Field>
        <FormActions saving={saving} />
      </SubmitForm>
    </section>
  );
}
