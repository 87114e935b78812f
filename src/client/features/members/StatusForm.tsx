import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { builtinPack } from '../../../rules/index.ts';
import { addStatus } from '../../db/repo.ts';
import { db } from '../../db/schema.ts';
import { today } from '../../i18n/index.ts';
import { useRouter } from '../../router.tsx';
import { Field } from '../common/Field.tsx';
import { SubmitForm } from '../common/SubmitForm.tsx';
import { FormActions } from '../common/FormActions.tsx';
import { useDraft } from '../common/useDraft.ts';
import { StatusFields } from './MemberForm.tsx';

type Values = { poverty: 'poor' | 'lifted' | 'monitored' | 'none'; poorClass: '' | '1' | '2'; assistance: '' | 'tekun' | 'dibao'; statusFrom: string; note: string };

/** A new dated status: it applies from its date on, earlier claims keep the status they had. */
export function StatusForm({ memberId }: { memberId: string }) {
  const { t } = useTranslation();
  const { navigate } = useRouter();
  const ctx = useLiveQuery(async () => {
    const m = await db().members.get(memberId);
    const v = m ? await db().villages.get(m.villageId) : undefined;
    return { m: m ?? null, v: v ?? null };
  }, [memberId]);
  const { values, set, clear } = useDraft<Values>(`status-${memberId}`, { poverty: 'lifted', poorClass: '', assistance: '', statusFrom: today(), note: '' });
  const [errors, setErrors] = useState<Partial<Record<keyof Values, string>>>({});
  if (!ctx || !values) return <p className="page">{t('common.loading')}</p>;
  if (!ctx.m) return <p className="page">{t('notFound.title')}</p>;
  const classes = ctx.v ? builtinPack(ctx.v.packId).poorClasses : false;

  const save = async () => {
    const e: Partial<Record<keyof Values, string>> = {};
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(values.statusFrom)) e.statusFrom = t('errors.required', { field: t('status.from') });
    if (classes && values.poverty !== 'none' && !values.poorClass) e.poorClass = t('status.classRequired');
    setErrors(e);
    if (Object.keys(e).length) return;
    await addStatus(memberId, {
      from: values.statusFrom,
      poverty: values.poverty,
      poorClass: values.poorClass ? (Number(values.poorClass) as 1 | 2) : null,
      assistance: values.assistance || null,
      note: values.note.trim() || null,
    });
    clear();
    navigate(`/members/${memberId}`, { replace: true });
  };

  return (
    <section className="page narrow">
      <h1>{t('status.addFor', { name: ctx.m.name })}</h1>
      <SubmitForm onSubmit={() => void save()}>
        <StatusFields values={values} set={set} errors={errors} classes={classes} />
        <Field id="note" label={t('status.note')}>
          <input id="note" value={values.note} onChange={(e) => set('note', e.target.value)} />
        </Field>
        <FormActions />
      </SubmitForm>
    </section>
  );
}
