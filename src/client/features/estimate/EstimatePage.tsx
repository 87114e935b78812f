import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BUILTIN_PACK_JSON, builtinPack, explainTrace, formatRatio, layerName, PAYERS, type CompiledPack, type DatedStatus, type Lang } from '../../../rules/index.ts';
import { db } from '../../db/schema.ts';
import { packText, zhText, currentLang, date as fmtDate, today, yuan } from '../../i18n/index.ts';
import { Link, useRouter } from '../../router.tsx';
import { ClaimKindField } from '../common/ClaimKindField.tsx';
import { SubmitForm } from '../common/SubmitForm.tsx';
import { Field } from '../common/Field.tsx';
import { useDraft } from '../common/useDraft.ts';
import { assumptionWords, paramName } from './param-words.ts';
import { compareClasses, estimate, historyFromRecords, type EstimateForm, type EstimateOk, type PriorClaim } from '../../../model/estimate.ts';

type Values = EstimateForm & {
  packId: string;
  poverty: 'poor' | 'none';
  poorClass: '' | '1' | '2';
  assistance: '' | 'tekun' | 'dibao';
};

const COLORS: Record<string, string> = {
  basic: '#2f7d6b',
  critical: '#4f9dc4',
  backstop: '#7a6cc2',
  supplementary: '#c98a2b',
  assistance: '#c2577a',
  hospital: '#8d8d8d',
  patient: '#d24b3c',
};

export function EstimatePage() {
  const { t } = useTranslation();
  const { loc } = useRouter();
  const lang = currentLang();
  const rulesLang: Lang = lang;
  const textLang = lang === 'en' ? 'en' : 'zh-CN';
  const memberId = loc.query.get('member');
  const ctx = useLiveQuery(async () => {
    const d = db();
    const member = memberId ? ((await d.members.get(memberId)) ?? null) : null;
    const village = member ? ((await d.villages.get(member.villageId)) ?? null) : ((await d.villages.toCollection().first()) ?? null);
    const household = member ? ((await d.households.get(member.householdId)) ?? null) : null;
    const statuses = member ? await d.statuses.where('memberId').equals(member.id).toArray() : [];
    const enrolments = member ? await d.enrolments.where('memberId').equals(member.id).toArray() : [];
    const ledger = member ? await d.ledger.where('memberId').equals(member.id).toArray() : [];
    return { member, village, household, statuses, enrolments, ledger };
  }, [memberId]);

  const initial: Values | null = ctx
    ? {
        packId: ctx.village?.packId ?? BUILTIN_PACK_JSON[0]!.id,
        date: today(),
        kind: 'inpatient',
        disease: ctx.enrolments.find((e) => !e.endedOn)?.icd ?? '',
        facility: '',
        total: '',
        outOfCatalog: '',
        outUnknown: false,
        poverty: 'poor',
        poorClass: '',
        assistance: '',
      }
    : null;
  const { values, set, discard } = useDraft<Values>(`estimate-${memberId ?? 'anonymous'}`, initial);
  const [showCompare, setShowCompare] = useState(false);

  const pack: CompiledPack | null = values ? builtinPack(values.packId) : null;
  // The member's own county's pack comes first; the others are there to compare with.
  const homeId = ctx?.village?.packId ?? null;
  const homePack = ctx?.member && homeId ? (BUILTIN_PACK_JSON.find((p) => p.id === homeId) ?? null) : null;
  const history: DatedStatus[] = useMemo(() => {
    if (!values) return [];
    if (ctx?.member) return historyFromRecords(ctx.statuses);
    const poor = values.poverty === 'poor';
    return [{ from: null, registeredPoor: poor, poorClass: poor && values.poorClass ? (Number(values.poorClass) as 1 | 2) : null, assistance: values.assistance || null }];
  }, [ctx, values]);
  const prior: PriorClaim[] = useMemo(
    () =>
      (ctx?.ledger ?? [])
        .filter((l) => l.packId === values?.packId)
        .map((l) => ({ id: l.id, date: l.date, kind: l.kind, facilityClass: l.facilityClass, total: l.total, outOfCatalog: l.outOfCatalog, disease: l.disease })),
    [ctx, values?.packId],
  );
  const outcome = useMemo(() => (pack && values ? estimate(pack, history, prior, values) : null), [pack, history, prior, values]);
  const compare = useMemo(() => (showCompare && pack && values && outcome?.ok ? compareClasses(pack, history, prior, values) : null), [showCompare, pack, history, prior, values, outcome]);
  // 比较各级医院 brings its table into view (below the fold on a tablet).
  const compareRef = useRef<HTMLTableElement>(null);
  const hasCompare = compare !== null;
  useEffect(() => {
    if (hasCompare) compareRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }, [hasCompare]);

  if (!ctx || !values || !pack) return <p className="page">{t('common.loading')}</p>;
  if (memberId && !ctx.member) return <p className="page">{t('notFound.title')}</p>;
  const err = (f: keyof Values | 'person') => {
    if (!outcome || outcome.ok) return null;
    const e = outcome.errors[f as keyof typeof outcome.errors];
    return e ? t(`estimate.err.${e.code}`, { defaultValue: e.detail }) : null;
  };
  // Only name a problem once the doctor has typed something there.
  const touched = values.total.trim() !== '';

  return (
    <section className="page estimate">
      <div className="page-head">
        <h1>{t('estimate.title')}</h1>
        {ctx.member && (
          <div className="actions no-print">
            <Link to={`/members/${ctx.member.id}/ledger`} className="button">
              {t('ledger.title')}
            </Link>
          </div>
        )}
      </div>
      <p className="muted">
        {ctx.member ? t('estimate.forMember', { name: ctx.member.name, number: ctx.household?.number ?? '' }) : t('estimate.forAnonymous')}
      </p>

      <SubmitForm className="estimate-form no-print" onSubmit={() => {}}>
        <Field id="packId" label={t('estimate.pack')}>
          <select id="packId" value={values.packId} onChange={(e) => set('packId', e.target.value)}>
            {homePack ? (
              <>
                <option value={homePack.id}>{t('estimateWords.homePack', { name: packText(homePack.name) })}</option>
                <optgroup label={t('estimateWords.otherRegions')}>
                  {BUILTIN_PACK_JSON.filter((p) => p.id !== homePack.id).map((p) => (
                    <option key={p.id} value={p.id}>
                      {packText(p.name)}
                    </option>
                  ))}
                </optgroup>
              </>
            ) : (
              BUILTIN_PACK_JSON.map((p) => (
                <option key={p.id} value={p.id}>
                  {packText(p.name)}
                </option>
              ))
            )}
          </select>
        </Field>
        {homePack && values.packId !== homePack.id && (
          <p className="banner info" data-testid="other-region">
            {t('estimateWords.comparisonOnly', { home: packText(homePack.name) })}
          </p>
        )}
        {!ctx.member && (
          <fieldset>
            <legend>{t('estimate.personStatus')}</legend>
            <div className="field-row">
              <Field id="poverty" label={t('status.povertyLabel')}>
                <select id="poverty" value={values.poverty} onChange={(e) => set('poverty', e.target.value as Values['poverty'])}>
                  <option value="poor">{t('status.poverty.poor')}</option>
                  <option value="none">{t('status.poverty.none')}</option>
                </select>
              </Field>
              <Field id="assistance" label={t('status.assistanceLabel')}>
                <select id="assistance" value={values.assistance} onChange={(e) => set('assistance', e.target.value as Values['assistance'])}>
                  <option value="">{t('status.assistance.none')}</option>
                  <option value="dibao">{t('status.assistance.dibao')}</option>
                  <option value="tekun">{t('status.assistance.tekun')}</option>
                </select>
              </Field>
            </div>
            {pack.poorClasses && values.poverty === 'poor' && (
              <Field id="poorClass" label={t('status.classLabel')} error={err('person')}>
                <select id="poorClass" value={values.poorClass} onChange={(e) => set('poorClass', e.target.value as Values['poorClass'])}>
                  <option value="">{t('forms.choose')}</option>
                  <option value="1">{t('status.class1')}</option>
                  <option value="2">{t('status.class2')}</option>
                </select>
              </Field>
            )}
          </fieldset>
        )}
        {ctx.member && err('person') && (
          <p className="error" data-testid="status-missing">
            {err('person')}{' '}
            <Link to={`/members/${ctx.member.id}/status/new`} className="button">
              {t('estimateWords.toStatus')}
            </Link>
          </p>
        )}
        <div className="field-row">
          <Field id="date" label={t('estimate.date')} error={err('date')}>
            <input id="date" type="date" value={values.date} onChange={(e) => set('date', e.target.value)} />
          </Field>
          <ClaimKindField value={values.kind} onChange={(k) => set('kind', k)} error={err('kind')} />
        </div>
        {values.kind === 'outpatient-chronic' && (
          <Field id="disease" label={t('enrolments.icd')} error={err('disease')} hint={t('estimate.diseaseHint')}>
            <input id="disease" list="member-diseases" value={values.disease} onChange={(e) => set('disease', e.target.value)} />
            <datalist id="member-diseases">
              {ctx.enrolments.map((e) => (
                <option key={e.id} value={e.icd} />
              ))}
            </datalist>
          </Field>
        )}
        <Field id="facility" label={t('estimate.facility')} error={touched ? err('facility') : null}>
          <select id="facility" value={values.facility} onChange={(e) => set('facility', e.target.value)}>
            <option value="">{t('forms.choose')}</option>
            {pack.facilities.length > 0 && (
              <optgroup label={t('estimate.byName')}>
                {pack.facilities.map((f) => (
                  <option key={f.id} value={`f:${f.id}`}>
                    {packText(f.name)} · {packText(pack.classes[f.classIndex]!)}
                  </option>
                ))}
              </optgroup>
            )}
            <optgroup label={t('estimate.byClass')}>
              {pack.classes.map((c) => (
                <option key={c.id} value={`c:${c.id}`}>
                  {packText(c)}
                </option>
              ))}
            </optgroup>
          </select>
        </Field>
        <div className="field-row">
          <Field id="total" label={t('estimate.total')} error={touched ? err('total') : null}>
            <input id="total" inputMode="decimal" value={values.total} onChange={(e) => set('total', e.target.value)} placeholder="0.00" />
          </Field>
          <Field id="outOfCatalog" label={t('estimate.outOfCatalog')} error={touched ? err('outOfCatalog') : null}>
            <input
              id="outOfCatalog"
              inputMode="decimal"
              value={values.outUnknown ? '' : values.outOfCatalog}
              disabled={values.outUnknown}
              onChange={(e) => set('outOfCatalog', e.target.value)}
              placeholder={values.outUnknown ? t('estimate.unknown') : '0.00'}
            />
          </Field>
        </div>
        <label className="check">
          <input type="checkbox" checked={values.outUnknown} onChange={(e) => set('outUnknown', e.target.checked)} data-testid="out-unknown" />
          {t('estimate.outUnknown')}
        </label>
      </SubmitForm>

      {/* The printout leads with the case: who, where, how much. */}
      {outcome?.ok && (
        <div className="print-only">
          <dl className="facts">
            <dt>{t('estimate.person')}</dt>
            <dd>
              {ctx.member ? ctx.member.name : t('estimate.forAnonymous')}
              {ctx.household && ` · ${t('households.numberShort', { number: ctx.household.number })}`}
            </dd>
            {ctx.village && (
              <>
                <dt>{t('estimateWords.clinic')}</dt>
                <dd>{t('estimateWords.clinicName', { village: ctx.village.name })}</dd>
              </>
            )}
            <dt>{t('estimate.date')}</dt>
            <dd>{fmtDate(values.date)}</dd>
            <dt>{t('estimate.facility')}</dt>
            <dd>
              {packText(pack.facilities.find((f) => `f:${f.id}` === values.facility)?.name) ?? ''} {packText(pack.classes[outcome.claim.classIndex]!)} ·{' '}
              {t(values.kind === 'inpatient' ? 'estimate.inpatient' : 'estimate.outpatient')}
              {outcome.claim.disease ? ` ${outcome.claim.disease}` : ''}
            </dd>
            <dt>{t('estimate.total')}</dt>
            <dd>{yuan(outcome.claim.total)}</dd>
            <dt>{t('estimate.outOfCatalog')}</dt>
            <dd>{values.outUnknown ? t('estimate.unknown') : yuan(outcome.claim.outOfCatalog)}</dd>
          </dl>
          <p>{t('estimate.printFooter', { pack: `${packText(pack.name)} ${pack.version}`, date: fmtDate(today()) })}</p>
        </div>
      )}
      {outcome?.ok && <Result ok={outcome} pack={pack} values={values} lang={rulesLang} textLang={textLang} />}
      {outcome?.ok && (
        <div className="actions no-print">
          <button type="button" onClick={() => setShowCompare(!showCompare)} data-testid="compare">
            {showCompare ? t('estimate.hideCompare') : t('estimate.compare')}
          </button>
          <button type="button" onClick={() => window.print()}>
            {t('estimate.print')}
          </button>
          {'share' in navigator && (
            <button
              type="button"
              onClick={() => {
                const o = outcome;
                void navigator
                  .share({ title: t('estimate.title'), text: t('estimate.shareText', { amount: yuan(o.result.patient), pack: packText(pack.name) }) })
                  .catch(() => {});
              }}
            >
              {t('estimate.share')}
            </button>
          )}
          {ctx.member && (
            <Link to={`/members/${ctx.member.id}/ledger/new`} className="button">
              {t('ledger.add')}
            </Link>
          )}
          <button type="button" onClick={discard}>
            {t('estimate.clear')}
          </button>
        </div>
      )}
      {compare && (
        <table className="compare" data-testid="compare-table" ref={compareRef}>
          <thead>
            <tr>
              <th>{t('estimate.facilityClass')}</th>
              <th>{t('estimate.patientPays')}</th>
              <th>{t('estimate.fundsPay')}</th>
            </tr>
          </thead>
          <tbody>
            {compare.map((r) => (
              <tr key={r.classId} className={r.cheapest ? 'cheapest' : ''} data-testid={`compare-${r.classId}`}>
                <td>
                  {packText(r.name)}
                  {r.cheapest && <span className="badge">{t('estimate.cheapest')}</span>}
                </td>
                <td className="money">{r.outcome.ok ? yuan(r.outcome.result.patient) : '—'}</td>
                <td className="money">{r.outcome.ok ? yuan(r.outcome.result.payers.reduce((a, b) => a + b, 0)) : t(`estimate.err.${Object.values(r.outcome.errors)[0]?.code}`, { defaultValue: '—' })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Result({ ok, pack, values, lang, textLang }: { ok: EstimateOk; pack: CompiledPack; values: Values; lang: Lang; textLang: 'zh-CN' | 'en' }) {
  const { t } = useTranslation();
  const r = ok.result;
  const total = ok.claim.total;
  const segments = [...PAYERS.map((p, i) => ({ key: p, amount: r.payers[i]! })), { key: 'patient', amount: r.patient }].filter((s) => s.amount > 0);
  const lines = explainTrace(r.trace, lang);
  const assumptions = [...new Set([...r.assumptions, ...(ok.high?.result.assumptions ?? [])])];
  return (
    <div className="result" data-testid="estimate-result">
      <div className="patient-figure">
        <span className="label">{t('estimate.patientPays')}</span>
        {ok.high && ok.high.result.patient !== r.patient ? (
          <strong data-testid="patient-amount">
            {yuan(r.patient)} – {yuan(ok.high.result.patient)}
          </strong>
        ) : (
          <strong data-testid="patient-amount">{yuan(r.patient)}</strong>
        )}
        <span className="of">{t('estimate.ofTotal', { total: yuan(total) })}</span>
      </div>
      {ok.high && (
        <p className="banner info" data-testid="range-note">
          {t(ok.high.assumed ? 'estimate.rangeNoteAssumed' : 'estimate.rangeNote', { share: formatRatio(ok.high.share), amount: yuan(ok.high.outOfCatalog) })}
        </p>
      )}
      <div className="stack" role="img" aria-label={t('estimate.whoPays')}>
        {segments.map((s) => (
          <div key={s.key} style={{ flexGrow: s.amount, background: COLORS[s.key] }} title={`${layerName(s.key, lang)} ${yuan(s.amount)}`} />
        ))}
      </div>
      <ul className="legend">
        {[...PAYERS.map((p, i) => ({ key: p as string, amount: r.payers[i]! })), { key: 'patient', amount: r.patient }].map((s) => (
          <li key={s.key} className={s.amount === 0 ? 'zero' : ''}>
            <span className="swatch" style={{ background: COLORS[s.key] }} />
            <span>{layerName(s.key, lang)}</span>
            <span className="money" data-testid={`payer-${s.key}`}>
              {yuan(s.amount)}
            </span>
          </li>
        ))}
      </ul>
      {ok.high && ok.high.result.patient !== r.patient && (
        <p className="muted" data-testid="range-end">
          {t('estimateWords.rangeLow')}
        </p>
      )}
      {assumptions.length > 0 && (
        <div className="banner warn" data-testid="assumptions">
          <strong>{t('estimate.assumed')}</strong>
          <ul className="assumptions">
            {assumptions.map((a) => (
              <li key={a}>{zhText(assumptionWords(pack, a, textLang, t, yuan))}</li>
            ))}
          </ul>
        </div>
      )}
      <h2>{t('estimate.explanation')}</h2>
      <ol className="steps">
        {r.trace.map((step, i) => (
          <li key={i}>
            <p>{zhText(lines[i] ?? '')}</p>
            <p className="source">
              {Object.entries(step.params).map(([name, p]) =>
                p.source === 'assumption' ? (
                  <span key={name} className="tag assumed">
                    {t('estimate.assumedTag')} {zhText(paramName(pack, name, textLang, t))}
                  </span>
                ) : (
                  <Quote key={name} pack={pack} doc={p.source.doc} quote={p.source.quote} />
                ),
              )}
            </p>
          </li>
        ))}
      </ol>
      {ok.context.length > 0 && (
        <>
          <h2>{t('estimate.yearSoFar', { year: values.date.slice(0, 4) })}</h2>
          <p className="muted">{t('estimate.priorCount', { count: ok.priorCount })}</p>
          <ul className="list compact" data-testid="year-context">
            {ok.context.map((c, i) => (
              <li key={i}>
                <span className="title">{packText(c.title)}</span>
                <span className="meta">{contextLine(t, c)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {ok.priorProblems.length > 0 && <p className="banner warn">{t('estimate.priorProblems', { count: ok.priorProblems.length })}</p>}
    </div>
  );
}

/**
 * A policy quote, cut to a line, that opens to the whole text with its document on a tap (a touch
 * screen shows no hover tooltip).
 */
function Quote({ pack, doc, quote }: { pack: CompiledPack; doc: string; quote: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const d = pack.documents[doc];
  return (
    <span className={open ? 'tag quote open' : 'tag quote'}>
      <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)} title={open ? t('estimateWords.quoteClose') : t('estimateWords.quoteOpen')}>
        {zhText(d?.number ?? doc)}「{zhText(open ? quote : quote.length > 24 ? `${quote.slice(0, 24)}…` : quote)}」
      </button>
      {open && d && <span className="quote-doc">{zhText(d.title)}</span>}
    </span>
  );
}

function contextLine(t: (k: string, o?: Record<string, unknown>) => string, c: EstimateOk['context'][number]): string {
  const limit = c.limit === Infinity ? t('estimate.noCap') : yuan(c.limit);
  switch (c.kind) {
    case 'cap':
      return c.limit === Infinity ? t('estimate.ctxPaidNoCap', { used: yuan(c.used) }) : t('estimate.ctxCap', { used: yuan(c.used), limit, left: yuan(Math.max(0, c.limit - c.used)) });
    case 'threshold':
      return c.used >= c.limit ? t('estimate.ctxThresholdReached', { used: yuan(c.used), limit }) : t('estimate.ctxThreshold', { used: yuan(c.used), limit, left: yuan(c.limit - c.used) });
    case 'burden':
      return t('estimate.ctxBurden', { used: yuan(c.used), limit });
    case 'limit':
      return t('estimate.ctxLimit', { used: yuan(c.used), limit, left: yuan(Math.max(0, c.limit - c.used)) });
  }
}
