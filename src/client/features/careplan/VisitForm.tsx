import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ANSWERS, CHECKLIST_ITEMS, VISITOR_ROLES, type Answer, type ChecklistItem, type VisitFinding } from '../../../model/careplan/index.ts';
import { addVisit, contractsInForce, visitsOfHousehold, type VisitPhoto } from '../../db/careplan.ts';
import { InputError } from '../../db/repo.ts';
import { db, type VisitRow } from '../../db/schema.ts';
import { date, today } from '../../i18n/index.ts';
import { Link, useRouter } from '../../router.tsx';
import { Field } from '../common/Field.tsx';
import { FormActions } from '../common/FormActions.tsx';
import { SubmitForm } from '../common/SubmitForm.tsx';
import { useDraft } from '../common/useDraft.ts';
import { VisitPhotos } from './VisitPhotos.tsx';

interface FindingValues {
  key: string;
  memberId: string;
  problem: string;
  measure: string;
  due: string;
}
type Values = {
  date: string;
  visitor: string;
  role: string;
  met: string[];
  /** memberId → item → answer ('' not asked). */
  answers: Record<string, Partial<Record<ChecklistItem, Answer | ''>>>;
  findings: FindingValues[];
  /** Measures agreed at an earlier visit that this visit found done (finding ids). */
  done: string[];
  /** Photos taken on the visit, kept sealed on the tablet (db/careplan.ts addVisitPhoto). */
  photos: VisitPhoto[];
  note: string;
};

/** The measures agreed at the household's earlier visits and not yet done, oldest due first. */
function openMeasures(visits: readonly VisitRow[]): VisitFinding[] {
  const first = new Map<string, VisitFinding>();
  const done = new Set<string>();
  for (const v of visits) {
    for (const f of v.findings) {
      if (f.doneOn !== null) done.add(f.id);
      if (!first.has(f.id)) first.set(f.id, f);
    }
  }
  return [...first.values()].filter((f) => !done.has(f.id)).sort((a, b) => a.due.localeCompare(b.due));
}

/**
 * 入户走访 of a household, by a cadre or a doctor, offline: who visited, who was met, what the visit
 * verified for each member (prefilled from the roster: a contract in force, a chronic certification),
 * problems found with the measure agreed and a due date each (they come back on 待办 when due).
 * A member who needs a proxy filing is one tap from its draft.
 */
export function VisitForm({ householdId }: { householdId: string }) {
  const { t } = useTranslation();
  const { navigate } = useRouter();
  const ctx = useLiveQuery(async () => {
    const d = db();
    const h = await d.households.get(householdId);
    if (!h) return { h: null, members: [], prefill: {}, open: [] as VisitFinding[], user: '', role: 'cadre' };
    const members = (await d.members.where('householdId').equals(h.id).toArray()).filter((m) => m.state === 'active');
    const contracts = await contractsInForce(h.id, today());
    const enrolled = new Set((await d.enrolments.where('memberId').anyOf(members.map((m) => m.id)).toArray()).filter((e) => e.endedOn === null).map((e) => e.memberId));
    const prefill: Values['answers'] = {};
    const year = Number(today().slice(0, 4));
    for (const m of members)
      prefill[m.id] = {
        // What the roster knows: insured for this year, a contract in force, a chronic certification.
        ...(m.insured.scheme !== 'none' && m.insured.year === year ? { insured: 'yes' as const } : {}),
        ...(contracts.has(m.id) ? { contract: 'yes' as const } : {}),
        ...(enrolled.has(m.id) ? { chronicCertified: 'yes' as const } : {}),
      };
    const session = (await d.meta.get('session'))?.value as { username?: string; role?: string } | undefined;
    const open = openMeasures(await visitsOfHousehold(h.id));
    return { h, members, prefill, open, user: session?.username ?? '', role: session?.role === 'village-doctor' ? 'doctor' : 'cadre' };
  }, [householdId]);
  const { values, set, clear } = useDraft<Values>(`visit-${householdId}`, { date: today(), visitor: '', role: '', met: [], answers: {}, findings: [], done: [], photos: [], note: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  if (!ctx || !values) return <p className="page">{t('common.loading')}</p>;
  if (!ctx.h) return <p className="page">{t('notFound.title')}</p>;
  const head = ctx.members.find((m) => m.id === ctx.h!.headMemberId);
  const answer = (memberId: string, item: ChecklistItem): Answer | '' => values.answers[memberId]?.[item] ?? ctx.prefill[memberId]?.[item] ?? '';
  const setAnswer = (memberId: string, item: ChecklistItem, a: Answer | '') => {
    const cur = { ...ctx.prefill[memberId], ...values.answers[memberId] };
    set('answers', { ...values.answers, [memberId]: { ...cur, [item]: a } });
  };
  const visitor = values.visitor || ctx.user;
  const role = values.role || ctx.role;

  const save = async () => {
    const e: Record<string, string> = {};
    if (!visitor.trim()) e.visitor = t('care.visit.errors.visitor');
    if (values.date > today()) e.date = t('care.visit.errors.future');
    values.findings.forEach((f, i) => {
      if (!f.problem.trim()) e[`findings.${i}.problem`] = t('care.visit.errors.problem');
      if (!f.measure.trim()) e[`findings.${i}.measure`] = t('care.visit.errors.measure');
      if (!f.due) e[`findings.${i}.due`] = t('care.visit.errors.due');
    });
    setErrors(e);
    if (Object.keys(e).length) return;
    setSaving(true);
    try {
      const checklist = ctx.members
        .map((m) => ({ memberId: m.id, items: Object.fromEntries(CHECKLIST_ITEMS.flatMap((k) => (answer(m.id, k) ? [[k, { answer: answer(m.id, k) as Answer }]] : []))) }))
        .filter((c) => Object.keys(c.items).length > 0);
      await addVisit({
        householdId,
        date: values.date,
        visitors: [{ name: visitor.trim(), role: role as (typeof VISITOR_ROLES)[number] }],
        met: values.met,
        checklist,
        findings: [
          // An earlier measure found done is carried with its id, done on this visit's date.
          ...ctx.open.filter((f) => (values.done ?? []).includes(f.id)).map((f) => ({ ...f, doneOn: values.date })),
          ...values.findings.map((f) => ({ memberId: f.memberId || null, problem: f.problem.trim(), measure: f.measure.trim(), due: f.due })),
        ],
        ...(values.photos?.length ? { photos: values.photos } : {}),
        ...(values.note.trim() ? { note: values.note.trim() } : {}),
      });
      await clear();
      navigate(`/households/${householdId}?saved=${encodeURIComponent(t('care.visit.saved'))}`, { replace: true });
    } catch (err) {
      if (err instanceof InputError) setErrors({ [err.field]: err.problem === 'future' ? t('care.visit.errors.future') : err.message });
      else throw err;
    } finally {
      setSaving(false);
    }
  };

  const patchFinding = (i: number, patch: Partial<FindingValues>) => {
    set('findings', values.findings.map((f, j) => (j === i ? { ...f, ...patch } : f)));
    // A field corrected no longer shows its old message.
    const stale = Object.keys(patch).map((k) => `findings.${i}.${k}`);
    if (stale.some((k) => k in errors)) setErrors(Object.fromEntries(Object.entries(errors).filter(([k]) => !stale.includes(k))));
  };

  return (
    <section className="page narrow" data-testid="visit-form">
      <h1>{t('care.visit.title', { household: head ? t('households.headOf', { name: head.name }) : t('households.numberShort', { number: ctx.h.number }) })}</h1>
      <SubmitForm onSubmit={() => void save()}>
        <div className="field-row">
          <Field id="date" label={t('care.visit.date')} error={errors.date}>
            <input id="date" type="date" max={today()} value={values.date} onChange={(ev) => set('date', ev.target.value)} />
          </Field>
          <Field id="visitor" label={t('care.visit.visitor')} error={errors.visitor}>
            <input id="visitor" value={visitor} onChange={(ev) => set('visitor', ev.target.value)} />
          </Field>
          <Field id="role" label={t('care.visit.role')}>
            <select id="role" value={role} onChange={(ev) => set('role', ev.target.value)}>
              {VISITOR_ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`care.visit.roles.${r}`)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        {ctx.members.map((m) => (
          <fieldset key={m.id} className="card visit-member" data-testid="visit-member">
            <legend>{m.name}</legend>
            <label className="check">
              <input type="checkbox" checked={values.met.includes(m.id)} onChange={(ev) => set('met', ev.target.checked ? [...values.met, m.id] : values.met.filter((x) => x !== m.id))} data-testid="visit-met" /> {t('care.visit.met')}
            </label>
            <div className="visit-items">
              {CHECKLIST_ITEMS.map((item) => (
                <label key={item} className="visit-item">
                  <span>{t(`care.visit.items.${item}`)}</span>
                  <select value={answer(m.id, item)} onChange={(ev) => setAnswer(m.id, item, ev.target.value as Answer | '')} data-testid={`visit-${item}`}>
                    {(['', ...ANSWERS] as const).map((a) => (
                      <option key={a} value={a}>
                        {t(`care.visit.answers.${a}`)}
                      </option>
                    ))}
                  </select>
                  {item === 'needsProxyFiling' && answer(m.id, item) === 'yes' && (
                    <Link to={`/members/${m.id}/filings/new`} className="button" data-testid="visit-start-filing">
                      {t('care.visit.startFiling')}
                    </Link>
                  )}
                </label>
              ))}
            </div>
          </fieldset>
        ))}
        {ctx.open.length > 0 && (
          <fieldset className="card" data-testid="visit-open-measures">
            <legend>{t('care.visit.openMeasures')}</legend>
            <ul className="plain">
              {ctx.open.map((f) => {
                const who = f.memberId ? ctx.members.find((m) => m.id === f.memberId)?.name : t('care.visit.household');
                const done = (values.done ?? []).includes(f.id);
                return (
                  <li key={f.id} className="open-measure" data-testid="visit-open-measure">
                    <label className="check">
                      <input type="checkbox" checked={done} onChange={(ev) => set('done', ev.target.checked ? [...(values.done ?? []), f.id] : (values.done ?? []).filter((x) => x !== f.id))} data-testid="visit-measure-done" /> {t('care.visit.measureDone')}
                    </label>
                    <span>
                      {f.measure}
                      <small className="muted">
                        {' '}
                        · {f.problem} · {who ?? ''} · {t('care.due', { date: date(f.due) })}
                        {f.due < today() && <span className="badge state-overdue">{t('care.states.overdue')}</span>}
                      </small>
                    </span>
                  </li>
                );
              })}
            </ul>
          </fieldset>
        )}
        <fieldset className="card">
          <legend>{t('care.visit.findings')}</legend>
          {values.findings.map((f, i) => (
            <div key={f.key} className="visit-finding" data-testid="visit-finding">
              <div className="field-row">
                <Field id={`finding-${i}-member`} label={t('care.visit.findingMember')}>
                  <select id={`finding-${i}-member`} value={f.memberId} onChange={(ev) => patchFinding(i, { memberId: ev.target.value })}>
                    <option value="">{t('care.visit.household')}</option>
                    {ctx.members.map((m) => (
                      <option key={m.id} value={m.id}>
                        {m.name}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field id={`finding-${i}-due`} label={t('care.visit.due')} error={errors[`findings.${i}.due`]}>
                  <input id={`finding-${i}-due`} type="date" min={values.date} value={f.due} onChange={(ev) => patchFinding(i, { due: ev.target.value })} />
                </Field>
              </div>
              <Field id={`finding-${i}-problem`} label={t('care.visit.problem')} error={errors[`findings.${i}.problem`]}>
                <input id={`finding-${i}-problem`} value={f.problem} onChange={(ev) => patchFinding(i, { problem: ev.target.value })} />
              </Field>
              <Field id={`finding-${i}-measure`} label={t('care.visit.measure')} error={errors[`findings.${i}.measure`]}>
                <input id={`finding-${i}-measure`} value={f.measure} onChange={(ev) => patchFinding(i, { measure: ev.target.value })} />
              </Field>
              <button type="button" onClick={() => set('findings', values.findings.filter((_, j) => j !== i))}>
                {t('care.visit.removeFinding')}
              </button>
            </div>
          ))}
          <button type="button" onClick={() => set('findings', [...values.findings, { key: String(Date.now()), memberId: '', problem: '', measure: '', due: '' }])} data-testid="visit-add-finding">
            {t('care.visit.addFinding')}
          </button>
        </fieldset>
        <VisitPhotos photos={values.photos ?? []} onChange={(next) => set('photos', next)} />
        <Field id="note" label={t('care.visit.note')}>
          <textarea id="note" rows={3} value={values.note} onChange={(ev) => set('note', ev.target.value)} />
        </Field>
        <FormActions saving={saving} />
      </SubmitForm>
    </section>
  );
}
