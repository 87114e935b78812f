import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { builtinCarePack, contractValidUntil } from '../../../model/careplan/index.ts';
import { contractsInForce, signContracts } from '../../db/careplan.ts';
import { InputError } from '../../db/repo.ts';
import { db } from '../../db/schema.ts';
import { date, today } from '../../i18n/index.ts';
import { useRouter } from '../../router.tsx';
import { Field } from '../common/Field.tsx';
import { FormActions } from '../common/FormActions.tsx';
import { SubmitForm } from '../common/SubmitForm.tsx';
import { useDraft } from '../common/useDraft.ts';

/** Service packages counties commonly offer; any other can be typed. */
const PACKAGES = ['基础服务包', '高血压服务包', '糖尿病服务包', '老年人服务包', '脱贫人口服务包'];

type Values = { memberIds: string[]; signedOn: string; doctor: string; team: string; packageId: string; validUntil: string };

/** 家庭医生签约 for a household: several members in one go, each with a contract of their own. */
export function ContractForm({ householdId }: { householdId: string }) {
  const { t } = useTranslation();
  const { loc, navigate } = useRouter();
  const ctx = useLiveQuery(async () => {
    const h = await db().households.get(householdId);
    const members = h ? (await db().members.where('householdId').equals(h.id).toArray()).filter((m) => m.state === 'active') : [];
    const inForce = h ? await contractsInForce(h.id, today()) : new Map();
    const session = (await db().meta.get('session'))?.value as { username?: string } | undefined;
    return { h: h ?? null, members, inForce, user: session?.username ?? '' };
  }, [householdId]);
  const first = loc.query.get('member');
  const { values, set, clear } = useDraft<Values>(`contract-${householdId}`, { memberIds: first ? [first] : [], signedOn: today(), doctor: '', team: '', packageId: PACKAGES[0]!, validUntil: '' });
  const [errors, setErrors] = useState<Partial<Record<keyof Values, string>>>({});
  const [saving, setSaving] = useState(false);
  if (!ctx || !values) return <p className="page">{t('common.loading')}</p>;
  if (!ctx.h) return <p className="page">{t('notFound.title')}</p>;
  const rule = values.signedOn ? contractValidUntil(builtinCarePack(), values.signedOn) : '';
  const head = ctx.members.find((m) => m.id === ctx.h!.headMemberId);

  const save = async () => {
    const e: Partial<Record<keyof Values, string>> = {};
    if (values.memberIds.length === 0) e.memberIds = t('care.contract.errors.members');
    if (!values.doctor.trim()) e.doctor = t('care.contract.errors.doctor');
    if (!values.packageId.trim()) e.packageId = t('care.contract.errors.package');
    if (values.signedOn > today()) e.signedOn = t('care.contract.errors.future');
    setErrors(e);
    if (Object.keys(e).length) return;
    setSaving(true);
    try {
      const rows = await signContracts({
        householdId,
        memberIds: values.memberIds,
        signedOn: values.signedOn,
        doctor: { name: values.doctor.trim(), team: values.team.trim() },
        packageId: values.packageId.trim(),
        ...(values.validUntil ? { validUntil: values.validUntil } : {}),
      });
      await clear();
      navigate(`/households/${householdId}?saved=${encodeURIComponent(t('care.contract.saved', { count: rows.length }))}`, { replace: true });
    } catch (err) {
      if (err instanceof InputError) setErrors({ [err.field.split('.')[0] as keyof Values]: err.message });
      else if (err instanceof Error && /role|may not|doctor/i.test(err.message)) setErrors({ memberIds: t('care.contract.errors.role') });
      else throw err;
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="page narrow" data-testid="contract-form">
      <h1>{t('care.contract.title', { household: head ? t('households.headOf', { name: head.name }) : t('households.numberShort', { number: ctx.h.number }) })}</h1>
      <SubmitForm onSubmit={() => void save()}>
        <fieldset className="checks">
          <legend>{t('care.contract.members')}</legend>
          {ctx.members.map((m) => {
            const c = ctx.inForce.get(m.id);
            return (
              <label key={m.id} className="check">
                <input
                  type="checkbox"
                  checked={values.memberIds.includes(m.id)}
                  onChange={(ev) => set('memberIds', ev.target.checked ? [...values.memberIds, m.id] : values.memberIds.filter((x) => x !== m.id))}
                  data-testid="contract-member"
                />{' '}
                {m.name}
                {c && <small className="muted"> · {t('care.contract.inForce', { date: date(c.validUntil) })}</small>}
              </label>
            );
          })}
          {errors.memberIds && (
            <p className="error" role="alert" data-testid="error-memberIds">
              {errors.memberIds}
            </p>
          )}
        </fieldset>
        <Field id="signedOn" label={t('care.contract.signedOn')} error={errors.signedOn}>
          <input id="signedOn" type="date" max={today()} value={values.signedOn} onChange={(ev) => set('signedOn', ev.target.value)} />
        </Field>
        <Field id="doctor" label={t('care.contract.doctor')} error={errors.doctor}>
          <input id="doctor" value={values.doctor} placeholder={ctx.user} onChange={(ev) => set('doctor', ev.target.value)} />
        </Field>
        <Field id="team" label={t('care.contract.team')}>
          <input id="team" value={values.team} onChange={(ev) => set('team', ev.target.value)} />
        </Field>
        <Field id="packageId" label={t('care.contract.package')} error={errors.packageId}>
          <input id="packageId" list="contract-packages" value={values.packageId} onChange={(ev) => set('packageId', ev.target.value)} />
          <datalist id="contract-packages">
            {PACKAGES.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
        </Field>
        <Field id="validUntil" label={t('care.contract.validUntil', { date: date(rule) })} error={errors.validUntil}>
          <input id="validUntil" type="date" min={values.signedOn} value={values.validUntil} onChange={(ev) => set('validUntil', ev.target.value)} />
        </Field>
        <FormActions saving={saving} />
      </SubmitForm>
    </section>
  );
}
