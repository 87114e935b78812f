import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ADHERENCE,
  builtinCarePack,
  CLASSIFICATIONS,
  enrolmentDisease,
  evaluateFollowup,
  FOLLOWUP_WAYS,
  nextDueDate,
  READING_BOUNDS,
  SALT,
  type Classification,
  type Disease,
  type FollowupFacts,
  type Symptom,
} from '../../../model/careplan/index.ts';
import { addFollowUp } from '../../db/careplan.ts';
import { InputError } from '../../db/repo.ts';
import { db } from '../../db/schema.ts';
import { date, today } from '../../i18n/index.ts';
import { useRouter } from '../../router.tsx';
import { Field } from '../common/Field.tsx';
import { FormActions } from '../common/FormActions.tsx';
import { SubmitForm } from '../common/SubmitForm.tsx';
import { useDraft } from '../common/useDraft.ts';

/** The symptoms the form offers (the standard's list for the two diseases, the commonest first). */
const SHOWN_SYMPTOMS: Symptom[] = ['none', 'headache-dizziness', 'nausea-vomiting', 'tinnitus-dim-vision', 'dyspnoea', 'palpitations-chest-tightness', 'limb-numbness', 'leg-oedema', 'polydipsia', 'polyuria', 'blurred-vision', 'severe-headache-dizziness', 'consciousness-change'];

type Values = {
  disease: string;
  date: string;
  way: string;
  sbp: string;
  dbp: string;
  heartRate: string;
  weight: string;
  height: string;
  glucose: string;
  symptoms: string[];
  cigarettes: string;
  alcohol: string;
  exercise: string;
  salt: string;
  adherence: string;
  adverse: boolean;
  adverseNote: string;
  complication: boolean;
  complicationNote: string;
  override: string;
  overrideReason: string;
  referral: string;
  referralTo: string;
  nextDue: string;
};

type Errors = Partial<Record<keyof Values, string>>;

/** "120" → 120, "" → null, "12.5" with `tenths` → 125; a word is an error. */
function parse(raw: string, tenths = false): number | null | 'bad' {
  const s = raw.trim().replace(/，/g, '.');
  if (s === '') return null;
  if (!/^\d+(\.\d)?$/.test(s) || (!tenths && s.includes('.'))) return 'bad';
  return tenths ? Math.round(Number(s) * 10) : Number(s);
}

/**
 * A 两病 follow-up (国家基本公共卫生服务规范 第三版): readings, symptoms, lifestyle, medication; the
 * classification computed from the care-plan pack as the doctor types, with the thresholds that
 * decided it and any danger reading flagged; overridable with a reason. Readings outside a living
 * person's range, or a diastolic above the systolic, are refused with the field named.
 */
export function FollowupForm({ memberId }: { memberId: string }) {
  const { t } = useTranslation();
  const { loc, navigate } = useRouter();
  const pack = builtinCarePack();
  const ctx = useLiveQuery(async () => {
    const m = await db().members.get(memberId);
    const enrolments = m ? await db().enrolments.where('memberId').equals(m.id).toArray() : [];
    const diseases = [...new Set(enrolments.filter((e) => e.endedOn === null).flatMap((e) => enrolmentDisease(e) ?? []))];
    return { m: m ?? null, diseases };
  }, [memberId]);
  const asked = loc.query.get('disease') ?? '';
  const { values, set, clear } = useDraft<Values>(`followup-${memberId}`, {
    disease: asked,
    date: today(),
    way: 'clinic',
    sbp: '',
    dbp: '',
    heartRate: '',
    weight: '',
    height: '',
    glucose: '',
    symptoms: [],
    cigarettes: '',
    alcohol: '',
    exercise: '',
    salt: '',
    adherence: '',
    adverse: false,
    adverseNote: '',
    complication: false,
    complicationNote: '',
    override: '',
    overrideReason: '',
    referral: '',
    referralTo: '',
    nextDue: '',
  });
  const [errors, setErrors] = useState<Errors>({});
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);
  if (!ctx || !values) return <p className="page">{t('common.loading')}</p>;
  if (!ctx.m) return <p className="page">{t('notFound.title')}</p>;
  const disease = (values.disease || ctx.diseases[0] || '') as Disease | '';

  // Readings as numbers, each refused by name when out of range.
  const e: Errors = {};
  const num = (k: keyof Values, label: string, bounds: readonly [number, number] | null, tenths = false): number | null => {
    const v = parse(values[k] as string, tenths);
    if (v === 'bad') {
      e[k] = t('care.followup.errors.number', { field: label });
      return null;
    }
    if (v !== null && bounds && (v < bounds[0] || v > bounds[1])) {
      const f = (x: number) => (tenths ? (x / 10).toFixed(1) : String(x));
      e[k] = t('care.followup.errors.range', { field: label, lo: f(bounds[0]), hi: f(bounds[1]) });
      return null;
    }
    return v;
  };
  const readings = {
    sbp: num('sbp', t('care.followup.sbp'), READING_BOUNDS.sbp),
    dbp: num('dbp', t('care.followup.dbp'), READING_BOUNDS.dbp),
    heartRate: num('heartRate', t('care.followup.heartRate'), READING_BOUNDS.heartRate),
    weightTenthKg: num('weight', t('care.followup.weight'), READING_BOUNDS.weightTenthKg, true),
    heightCm: num('height', t('care.followup.height'), READING_BOUNDS.heightCm),
    glucoseTenthMmol: disease === 'diabetes2' ? num('glucose', t('care.followup.glucose'), READING_BOUNDS.glucoseTenthMmol, true) : null,
  };
  if (!e.sbp && !e.dbp && (readings.sbp === null) !== (readings.dbp === null)) e[readings.sbp === null ? 'sbp' : 'dbp'] = t('care.followup.errors.pair');
  if (readings.sbp !== null && readings.dbp !== null && readings.dbp >= readings.sbp) e.dbp = t('care.followup.errors.order');
  const facts: FollowupFacts | null =
    disease === ''
      ? null
      : {
          disease,
          readings,
          symptoms: values.symptoms as Symptom[],
          adverseReaction: { present: values.adverse, ...(values.adverseNote.trim() ? { note: values.adverseNote.trim() } : {}) },
          complication: { present: values.complication, ...(values.complicationNote.trim() ? { note: values.complicationNote.trim() } : {}) },
        };
  const evaluation = facts ? evaluateFollowup(pack, facts, { birthDate: ctx.m.birthDate, date: values.date }) : null;
  const effective = (values.override || evaluation?.classification || 'satisfactory') as Classification;
  const due = evaluation ? nextDueDate(pack, values.date, effective, values.referral.trim() !== '').due : '';

  const save = async () => {
    const all: Errors = { ...e };
    if (values.date > today()) all.date = t('care.followup.errors.future');
    if (values.override && !values.overrideReason.trim()) all.overrideReason = t('care.followup.errors.reason');
    const lifestyle = {
      cigarettesPerDay: num('cigarettes', t('care.followup.cigarettes'), [0, 100]),
      alcoholLiangPerDay: num('alcohol', t('care.followup.alcohol'), [0, 40]),
      exerciseMinutesPerWeek: num('exercise', t('care.followup.exercise'), [0, 7 * 24 * 60]),
      salt: (values.salt || null) as (typeof SALT)[number] | null,
    };
    Object.assign(all, e);
    setTried(true);
    setErrors(all);
    if (Object.keys(all).length > 0 || !facts) return;
    setSaving(true);
    try {
      const saved = await addFollowUp({
        memberId,
        disease: facts.disease,
        date: values.date,
        way: values.way as (typeof FOLLOWUP_WAYS)[number],
        readings,
        symptoms: facts.symptoms,
        lifestyle,
        medications: [],
        adherence: (values.adherence || null) as (typeof ADHERENCE)[number] | null,
        adverseReaction: facts.adverseReaction,
        complication: facts.complication,
        referral: values.referral.trim() ? { reason: values.referral.trim(), to: values.referralTo.trim() } : null,
        ...(values.override ? { override: { classification: values.override as Classification, reason: values.overrideReason.trim() } } : {}),
        ...(values.nextDue ? { nextDue: values.nextDue } : {}),
      });
      await clear();
      navigate(`/members/${memberId}?saved=${encodeURIComponent(t('care.followup.saved', { date: date(saved.row.nextDue) }))}`, { replace: true });
    } catch (err) {
      if (err instanceof InputError) setErrors({ [err.field.split('.').pop() as keyof Values]: err.problem === 'future' ? t('care.followup.errors.future') : err.message });
      else if (err instanceof Error && /role|may not|doctor/i.test(err.message)) setErrors({ disease: t('care.followup.errors.role') });
      else throw err;
    } finally {
      setSaving(false);
    }
  };

  const text = (k: keyof Values, label: string, mode: 'numeric' | 'decimal' = 'numeric') => (
    // Readings are checked as they are typed (the message follows the value), other errors when saving.
    <Field id={k} label={label} error={(values[k] !== '' || tried ? e[k] : undefined) ?? (k in e || values[k] !== '' ? undefined : errors[k])}>
      <input id={k} inputMode={mode} value={values[k] as string} onChange={(ev) => set(k, ev.target.value)} aria-invalid={!!(errors[k] ?? e[k])} />
    </Field>
  );
  const toggleSymptom = (s: Symptom) => {
    const has = values.symptoms.includes(s);
    const next = s === 'none' ? (has ? [] : ['none']) : has ? values.symptoms.filter((x) => x !== s) : [...values.symptoms.filter((x) => x !== 'none'), s];
    set('symptoms', next);
  };
  // The thresholds in words, with the clause of the standard each comes from.
  const th = (suffix: string) => evaluation?.thresholds.find((x) => x.param.endsWith(suffix));
  const sbpT = th('sbpBelow');
  const dbpT = th('dbpBelow');
  const ageT = th('minAge');
  const gluT = th('glucoseBelow');
  const targets = [
    sbpT && dbpT ? `${t('care.followup.bpTarget', { sbp: sbpT.value, dbp: dbpT.value })}${ageT ? t('care.followup.ageFrom', { age: ageT.value }) : ''}` : null,
    gluT ? t('care.followup.glucoseTarget', { value: (Number(gluT.value) / 10).toFixed(1) }) : null,
  ].filter((x): x is string => x !== null);
  const target = targets.join('；');
  const clause = [sbpT, gluT].flatMap((x) => (x?.source && typeof x.source === 'object' && 'clause' in x.source ? [String((x.source as { clause?: unknown }).clause)] : []))[0];

  return (
    <section className="page narrow" data-testid="followup-form">
      <h1>{t('care.followup.title', { name: ctx.m.name })}</h1>
      {ctx.diseases.length === 0 && <p className="error">{t('care.followup.errors.notEnrolled')}</p>}
      <SubmitForm onSubmit={() => void save()}>
        <Field id="disease" label={t('care.followup.disease')} error={errors.disease}>
          <select id="disease" value={disease} onChange={(ev) => set('disease', ev.target.value)}>
            {(ctx.diseases.length ? ctx.diseases : (['hypertension', 'diabetes2'] as Disease[])).map((d) => (
              <option key={d} value={d}>
                {t(`care.diseases.${d}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="date" label={t('care.followup.date')} error={errors.date}>
          <input id="date" type="date" max={today()} value={values.date} onChange={(ev) => set('date', ev.target.value)} />
        </Field>
        <Field id="way" label={t('care.followup.way')}>
          <select id="way" value={values.way} onChange={(ev) => set('way', ev.target.value)}>
            {FOLLOWUP_WAYS.map((w) => (
              <option key={w} value={w}>
                {t(`care.followup.ways.${w}`)}
              </option>
            ))}
          </select>
        </Field>
        <h2>{t('care.followup.signs')}</h2>
        <div className="field-row">
          {text('sbp', t('care.followup.sbp'))}
          {text('dbp', t('care.followup.dbp'))}
        </div>
        <div className="field-row">
          {text('heartRate', t('care.followup.heartRate'))}
          {disease === 'diabetes2' && text('glucose', t('care.followup.glucose'), 'decimal')}
        </div>
        <div className="field-row">
          {text('weight', t('care.followup.weight'), 'decimal')}
          {text('height', t('care.followup.height'))}
        </div>
        <fieldset className="checks">
          <legend>{t('care.followup.symptoms')}</legend>
          {SHOWN_SYMPTOMS.map((s) => (
            <label key={s} className="check">
              <input type="checkbox" checked={values.symptoms.includes(s)} onChange={() => toggleSymptom(s)} data-testid={`symptom-${s}`} /> {t(`care.followup.symptom.${s}`)}
            </label>
          ))}
        </fieldset>
        <h2>{t('care.followup.lifestyle')}</h2>
        <div className="field-row">
          {text('cigarettes', t('care.followup.cigarettes'))}
          {text('alcohol', t('care.followup.alcohol'))}
          {text('exercise', t('care.followup.exercise'))}
        </div>
        <div className="field-row">
          <Field id="salt" label={t('care.followup.salt')}>
            <select id="salt" value={values.salt} onChange={(ev) => set('salt', ev.target.value)}>
              <option value="">—</option>
              {SALT.map((s) => (
                <option key={s} value={s}>
                  {t(`care.followup.salts.${s}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="adherence" label={t('care.followup.adherence')}>
            <select id="adherence" value={values.adherence} onChange={(ev) => set('adherence', ev.target.value)}>
              <option value="">—</option>
              {ADHERENCE.map((a) => (
                <option key={a} value={a}>
                  {t(`care.followup.adherences.${a}`)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <label className="check">
          <input type="checkbox" checked={values.adverse} onChange={(ev) => set('adverse', ev.target.checked)} data-testid="adverse" /> {t('care.followup.adverse')}
        </label>
        <label className="check">
          <input type="checkbox" checked={values.complication} onChange={(ev) => set('complication', ev.target.checked)} data-testid="complication" /> {t('care.followup.complication')}
        </label>

        {evaluation && (
          <div className={`card${evaluation.urgentReferral ? ' warning' : ''}`} data-testid="followup-result">
            <h2>{t('care.followup.result')}</h2>
            <p data-testid="followup-class">{t('care.followup.computed', { class: t(`care.followup.classes.${evaluation.classification}`) })}</p>
            {target && (
              <p className="muted" data-testid="followup-threshold">
                {t('care.followup.threshold', { what: target })}
                {clause && <small className="source"> （{clause}）</small>}
              </p>
            )}
            {evaluation.danger.length > 0 && (
              <p className="error" role="alert" data-testid="followup-danger">
                {t('care.followup.danger')} {evaluation.danger.map((d) => t(`care.followup.dangerCodes.${d.code}`, { t: d.threshold ?? '' })).join('、')}
              </p>
            )}
            {evaluation.referralSuggested && <p className="error">{t('care.followup.referSuggested')}</p>}
            <Field id="override" label={t('care.followup.override')}>
              <select id="override" value={values.override} onChange={(ev) => set('override', ev.target.value)}>
                <option value="">{t('care.followup.overrideNone')}</option>
                {CLASSIFICATIONS.filter((c) => c !== evaluation.classification).map((c) => (
                  <option key={c} value={c}>
                    {t(`care.followup.classes.${c}`)}
                  </option>
                ))}
              </select>
            </Field>
            {values.override && (
              <Field id="overrideReason" label={t('care.followup.overrideReason')} error={errors.overrideReason}>
                <input id="overrideReason" value={values.overrideReason} onChange={(ev) => set('overrideReason', ev.target.value)} />
              </Field>
            )}
            <div className="field-row">
              <Field id="referral" label={t('care.followup.referral')}>
                <input id="referral" value={values.referral} onChange={(ev) => set('referral', ev.target.value)} />
              </Field>
              <Field id="referralTo" label={t('care.followup.referralTo')}>
                <input id="referralTo" value={values.referralTo} onChange={(ev) => set('referralTo', ev.target.value)} />
              </Field>
            </div>
            <Field id="nextDue" label={t('care.followup.nextDue', { date: date(due) })}>
              <input id="nextDue" type="date" min={values.date} value={values.nextDue} onChange={(ev) => set('nextDue', ev.target.value)} />
            </Field>
          </div>
        )}
        <FormActions saving={saving} />
      </SubmitForm>
    </section>
  );
}
