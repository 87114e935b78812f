import { IdNumberInput } from '../common/IdNumberInput.tsx';
import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { checkPhone } from '../../../model/contact.ts';
import { checkIdNumber, crossCheckId, ID_PROBLEM_MESSAGES } from '../../../model/idcard.ts';
import { namePinyin } from '../../../model/pinyin.ts';
import { RELATIONS, type Relation } from '../../../model/roster.ts';
import { addMember, DuplicateError, InputError, updateMember } from '../../db/repo.ts';
import { db } from '../../db/schema.ts';
import { currentLang, today } from '../../i18n/index.ts';
import { useRouter } from '../../router.tsx';
import { Field } from '../common/Field.tsx';
import { SubmitForm } from '../common/SubmitForm.tsx';
import { FormActions } from '../common/FormActions.tsx';
import { DraftBanner } from '../common/DraftBanner.tsx';
import { useDraft } from '../common/useDraft.ts';
import { builtinPack } from '../../../rules/index.ts';

type Values = {
  name: string;
  idNumber: string;
  birthDate: string;
  sex: '' | 'M' | 'F';
  relation: Relation | '';
  phone: string;
  scheme: 'resident' | 'employee' | 'none';
  insuredYear: string;
  poverty: 'poor' | 'lifted' | 'monitored' | 'none';
  poorClass: '' | '1' | '2';
  assistance: '' | 'tekun' | 'dibao';
  statusFrom: string;
};

type Errors = Partial<Record<keyof Values, string>>;

const NAME_RE = /^[\u3400-\u9fff·]{2,20}$|^[A-Za-z][A-Za-z .'-]{1,39}$/;

export function MemberForm({ householdId, memberId }: { householdId: string | null; memberId: string | null }) {
  const { t } = useTranslation();
  const { navigate } = useRouter();
  const lang = currentLang();
  const ctx = useLiveQuery(async () => {
    const d = db();
    const member = memberId ? ((await d.members.get(memberId)) ?? null) : null;
    const hid = householdId ?? member?.householdId ?? '';
    const household = (await d.households.get(hid)) ?? null;
    const village = household ? ((await d.villages.get(household.villageId)) ?? null) : null;
    return { member, household, village };
  }, [householdId, memberId]);

  const initial: Values | null = !ctx
    ? null
    : ctx.member
      ? {
          name: ctx.member.name,
          idNumber: ctx.member.idNumber,
          birthDate: ctx.member.birthDate,
          sex: ctx.member.sex,
          relation: ctx.member.relation,
          phone: ctx.member.phone ?? '',
          scheme: ctx.member.insured.scheme,
          insuredYear: ctx.member.insured.year ? String(ctx.member.insured.year) : '',
          poverty: 'none',
          poorClass: '',
          assistance: '',
          statusFrom: today(),
        }
      : {
          name: '',
          idNumber: '',
          birthDate: '',
          sex: '',
          relation: '',
          phone: '',
          scheme: 'resident',
          insuredYear: today().slice(0, 4),
          poverty: 'poor',
          poorClass: '',
          assistance: '',
          statusFrom: today(),
        };
  const formId = memberId ? `member-${memberId}` : `member-new-${householdId}`;
  const { values, set, restored, clear, discard } = useDraft<Values>(formId, initial);
  const [errors, setErrors] = useState<Errors>({});
  const [saving, setSaving] = useState(false);

  if (!ctx || !values) return <p className="page">{t('common.loading')}</p>;
  if (!ctx.household) return <p className="page">{t('notFound.title')}</p>;
  const pack = ctx.village ? builtinPack(ctx.village.packId) : null;
  const isNew = memberId === null;

  const onIdChange = (raw: string) => {
    set('idNumber', raw);
    const r = checkIdNumber(raw);
    if (r.ok) {
      // Birth date and sex come from the ID number; the doctor can still see and correct them.
      set('birthDate', r.birthDate);
      set('sex', r.sex);
      setErrors((e) => ({ ...e, idNumber: undefined, birthDate: undefined, sex: undefined }));
    }
  };

  const validate = (): Errors => {
    const e: Errors = {};
    if (!NAME_RE.test(values.name.trim())) e.name = t('members.nameInvalid');
    const id = checkIdNumber(values.idNumber);
    if (!id.ok) e.idNumber = ID_PROBLEM_MESSAGES[id.problem][lang];
    else {
      for (const p of crossCheckId(id.id, { birthDate: values.birthDate || null, sex: values.sex || null })) {
        if (p === 'birth-date-mismatch') e.birthDate = ID_PROBLEM_MESSAGES[p][lang];
        if (p === 'sex-mismatch') e.sex = ID_PROBLEM_MESSAGES[p][lang];
      }
    }
    // Birth date and sex come from a valid ID number; while the ID is wrong, only the ID is named.
    if (!values.birthDate && !e.idNumber) e.birthDate = t('errors.required', { field: t('members.birthDate') });
    if (!values.sex && !e.idNumber) e.sex = t('errors.required', { field: t('members.sex') });
    if (!values.relation) e.relation = t('errors.required', { field: t('members.relation') });
    if (values.phone.trim() !== '') {
      const p = checkPhone(values.phone);
      if (!p.ok) e.phone = t(`errors.phone.${p.problem}`);
    }
    if (values.scheme !== 'none' && !/^20[0-9]{2}$/.test(values.insuredYear)) e.insuredYear = t('members.insuredYearInvalid');
    if (isNew) {
      if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(values.statusFrom)) e.statusFrom = t('errors.required', { field: t('status.from') });
      else if (values.statusFrom > today()) e.statusFrom = t('errors.future', { field: t('status.from') });
      if (pack?.poorClasses && values.poverty !== 'none' && !values.poorClass) e.poorClass = t('status.classRequired');
    }
    return e;
  };

  const save = async () => {
    const e = validate();
    setErrors(e);
    if (Object.keys(e).length > 0) {
      document.getElementById(Object.keys(e)[0]!)?.focus();
      return;
    }
    setSaving(true);
    try {
      const id = checkIdNumber(values.idNumber) as { ok: true; id: string };
      const { pinyin, initials } = await namePinyin(values.name.trim());
      const phone = values.phone.trim() === '' ? null : (checkPhone(values.phone) as { ok: true; phone: string }).phone;
      const fields = {
        name: values.name.trim(),
        pinyin,
        initials,
        idNumber: id.id,
        birthDate: values.birthDate,
        sex: values.sex as 'M' | 'F',
        relation: values.relation as Relation,
        phone,
        insured: { scheme: values.scheme, year: values.scheme === 'none' ? null : Number(values.insuredYear) },
      };
      let savedId: string;
      if (isNew) {
        const row = await addMember({ ...fields, householdId: ctx.household!.id, villageId: ctx.household!.villageId }, {
          from: values.statusFrom,
          poverty: values.poverty,
          poorClass: values.poorClass ? (Number(values.poorClass) as 1 | 2) : null,
          assistance: values.assistance || null,
          note: null,
        });
        savedId = row.id;
      } else {
        savedId = (await updateMember(memberId, fields)).id;
      }
      clear();
      navigate(`/members/${savedId}`, { replace: true });
    } catch (err) {
      if (err instanceof DuplicateError) setErrors({ idNumber: t('members.idTaken') });
      else if (err instanceof InputError && err.field === 'from') setErrors({ statusFrom: err.message });
      else setErrors({ name: t('errors.saveFailed', { reason: (err as Error).message }) });
    } finally {
      setSaving(false);
    }
  };

  const input = (key: keyof Values, props: React.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <input
      id={key}
      value={values[key]}
      onChange={(ev) => set(key, ev.target.value as never)}
      aria-invalid={!!errors[key]}
      aria-describedby={errors[key] ? `${key}-error` : undefined}
      {...props}
    />
  );

  return (
    <section className="page narrow">
      <h1>{isNew ? t('members.add') : t('members.edit')}</h1>
      <DraftBanner restored={restored} onDiscard={discard} />
      <SubmitForm onSubmit={() => void save()}>
        <Field id="name" label={t('members.name')} error={errors.name}>
          {input('name', { autoComplete: 'off' })}
        </Field>
        <Field id="idNumber" label={t('members.idNumber')} error={errors.idNumber} hint={t('members.idHint')}>
          <IdNumberInput
            id="idNumber"
            value={values.idNumber}
            onChange={onIdChange}
            onBlur={() => {
              const r = checkIdNumber(values.idNumber);
              if (!r.ok && values.idNumber.trim() !== '') setErrors((e) => ({ ...e, idNumber: ID_PROBLEM_MESSAGES[r.problem][lang] }));
            }}
            invalid={!!errors.idNumber}
          />
        </Field>
        <div className="field-row">
          <Field id="birthDate" label={t('members.birthDate')} error={errors.birthDate}>
            {input('birthDate', { type: 'date' })}
          </Field>
          <Field id="sex" label={t('members.sex')} error={errors.sex}>
            <select id="sex" value={values.sex} onChange={(ev) => set('sex', ev.target.value as Values['sex'])}>
              <option value="">{t('forms.choose')}</option>
              <option value="M">{t('sex.M')}</option>
              <option value="F">{t('sex.F')}</option>
            </select>
          </Field>
        </div>
        <Field id="relation" label={t('members.relation')} error={errors.relation}>
          <select id="relation" value={values.relation} onChange={(ev) => set('relation', ev.target.value as Relation)}>
            <option value="">{t('forms.choose')}</option>
            {RELATIONS.map((r) => (
              <option key={r} value={r}>
                {t(`relation.${r}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="phone" label={t('members.phone')} error={errors.phone}>
          {input('phone', { type: 'tel', inputMode: 'tel' })}
        </Field>
        <div className="field-row">
          <Field id="scheme" label={t('members.insured')} error={errors.scheme}>
            <select id="scheme" value={values.scheme} onChange={(ev) => set('scheme', ev.target.value as Values['scheme'])}>
              <option value="resident">{t('members.scheme.resident')}</option>
              <option value="employee">{t('members.scheme.employee')}</option>
              <option value="none">{t('members.scheme.none')}</option>
            </select>
          </Field>
          <Field id="insuredYear" label={t('members.insuredYear')} error={errors.insuredYear}>
            {input('insuredYear', { inputMode: 'numeric', maxLength: 4, disabled: values.scheme === 'none' })}
          </Field>
        </div>
        {isNew && (
          <fieldset>
            <legend>{t('status.title')}</legend>
            <StatusFields values={values} set={set} errors={errors} classes={pack?.poorClasses ?? false} maxDate={today()} />
          </fieldset>
        )}
        <FormActions saving={saving} />
      </SubmitForm>
    </section>
  );
}

export function StatusFields<V extends { poverty: string; poorClass: string; assistance: string; statusFrom: string }>({
  values,
  set,
  errors,
  classes,
  maxDate,
}: {
  values: V;
  set: <K extends keyof V>(k: K, v: V[K]) => void;
  errors: Partial<Record<keyof V, string>>;
  classes: boolean;
  /** The latest date a status may start (today). */
  maxDate?: string;
}) {
  const { t } = useTranslation();
  return (
    <>
      <Field id="statusFrom" label={t('status.from')} error={errors.statusFrom}>
        <input id="statusFrom" type="date" max={maxDate} value={values.statusFrom} onChange={(e) => set('statusFrom', e.target.value as V['statusFrom'])} aria-invalid={!!errors.statusFrom} />
      </Field>
      <Field id="poverty" label={t('status.povertyLabel')} error={errors.poverty}>
        <select id="poverty" value={values.poverty} onChange={(e) => set('poverty', e.target.value as V['poverty'])}>
          {(['poor', 'lifted', 'monitored', 'none'] as const).map((p) => (
            <option key={p} value={p}>
              {t(`status.poverty.${p}`)}
            </option>
          ))}
        </select>
      </Field>
      {classes && (
        <Field id="poorClass" label={t('status.classLabel')} error={errors.poorClass}>
          <select id="poorClass" value={values.poorClass} onChange={(e) => set('poorClass', e.target.value as V['poorClass'])}>
            <option value="">{t('forms.choose')}</option>
            <option value="1">{t('status.class1')}</option>
            <option value="2">{t('status.class2')}</option>
          </select>
        </Field>
      )}
      <Field id="assistance" label={t('status.assistanceLabel')} error={errors.assistance}>
        <select id="assistance" value={values.assistance} onChange={(e) => set('assistance', e.target.value as V['assistance'])}>
          <option value="">{t('status.assistance.none')}</option>
          <option value="dibao">{t('status.assistance.dibao')}</option>
          <option value="tekun">{t('status.assistance.tekun')}</option>
        </select>
      </Field>
    </>
  );
}
