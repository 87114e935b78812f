import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MaskedId } from '../common/MaskedId.tsx';
import { builtinPack, PAYERS, type FilingTypeRule, type Payer } from '../../../rules/index.ts';
import { layerName } from '../../../rules/index.ts';
import { currentStage, filingType, fenOf, suggestedAmount, type DocumentRef } from '../../../model/filing.ts';
import type { FilingRow } from '../../db/schema.ts';
import { currentLang, date, today, yuan } from '../../i18n/index.ts';
import { ApiError, OfflineError } from '../../sync/api.ts';
import { Link } from '../../router.tsx';
import { Field } from '../common/Field.tsx';
import { ConfirmDialog } from '../common/ConfirmDialog.tsx';
import { fieldText, StatusBadge, Timeline } from '../filings/FilingView.tsx';
import { documentTitle, packText } from '../filings/labels.ts';
import { PhotoViewer } from '../filings/Thumb.tsx';
import { useSession } from '../sync/useSession.ts';
import { reviewApi, type ActionBody, type ReviewDetailData } from './api.ts';

/** What the tablet knew when filing: who filed, the member's status on the claim's date, its warnings. */
function Knew({ data }: { data: ReviewDetailData }) {
  const { t } = useTranslation();
  const s = data.statusOnClaim;
  const status = s
    ? [s.registeredPoor ? t('reviewKnew.poor') : t('reviewKnew.notPoor'), s.poorClass ? t('reviewKnew.classN', { n: s.poorClass }) : null, s.assistance ? t(`status.assistance.${s.assistance}`) : null].filter(Boolean).join(' · ')
    : null;
  return (
    <>
      <dl className="facts" data-testid="review-knew">
        {data.filedBy && (
          <div className="fact">
            <dt>{t('reviewKnew.filedBy')}</dt>
            <dd data-testid="review-filed-by">
              {data.filedBy.displayName} ({data.filedBy.username})
              {data.filedBy.phone ? (
                <>
                  {' · '}
                  <a href={`tel:${data.filedBy.phone}`} className="nowrap" data-testid="review-filer-phone">
                    {data.filedBy.phone}
                  </a>
                </>
              ) : (
                <span className="muted"> · {t('reviewKnew.noPhone')}</span>
              )}
            </dd>
          </div>
        )}
        {s && (
          <div className="fact">
            <dt>{t('reviewKnew.statusOn', { date: date(s.date) })}</dt>
            <dd data-testid="review-status-on">{status}</dd>
          </div>
        )}
      </dl>
      {data.doubts.length > 0 && (
        <div className="card warning" role="status" data-testid="review-doubts">
          <strong>{t('reviewKnew.doubts')}</strong>
          <ul>
            {data.doubts.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

/** A resubmitted filing: the fields that changed from the version before, side by side. */
function VersionChanges({ data, pack, type }: { data: ReviewDetailData; pack: ReturnType<typeof builtinPack>; type: FilingTypeRule }) {
  const { t } = useTranslation();
  const versions = data.filing.versions;
  if (versions.length < 2) return null;
  const prev = versions[versions.length - 2]!;
  const cur = versions[versions.length - 1]!;
  const changed = type.fields.filter((x) => (prev.content.fields[x.id] ?? '') !== (cur.content.fields[x.id] ?? ''));
  const show = (v: string | undefined, id: (typeof type.fields)[number]['id']) => (v ? fieldText(t, pack, type, id, v) : t('reviewKnew.empty'));
  const docsChanged = prev.content.documents.map((d) => d.sha256).join() !== cur.content.documents.map((d) => d.sha256).join();
  return (
    <div className="card" data-testid="review-changes">
      <h2>{t('reviewKnew.changes', { prev: prev.version, version: cur.version })}</h2>
      {changed.length === 0 && !docsChanged ? null : (
        <table className="compare">
          <thead>
            <tr>
              <th>{t('reviewKnew.field')}</th>
              <th>{t('reviewKnew.before', { n: prev.version })}</th>
              <th>{t('reviewKnew.after', { n: cur.version })}</th>
            </tr>
          </thead>
          <tbody>
            {changed.map((x) => (
              <tr key={x.id} className="changed">
                <td>{t(`filing.field.${x.id}`)}</td>
                <td>{show(prev.content.fields[x.id], x.id)}</td>
                <td>
                  <mark>{show(cur.content.fields[x.id], x.id)}</mark>
                </td>
              </tr>
            ))}
            {docsChanged && (
              <tr className="changed">
                <td>{t('reviewKnew.documents')}</td>
                <td>{t('reviewKnew.documentsCount', { count: prev.content.documents.length })}</td>
                <td>
                  <mark>{t('reviewKnew.documentsCount', { count: cur.content.documents.length })}</mark>
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {changed.length === 0 && <p className="muted">{t('reviewKnew.noChange')}</p>}
    </div>
  );
}

function ServerPhoto({ token, filingId, doc, label, onOpen }: { token: string; filingId: string; doc: DocumentRef; label: string; onOpen: (url: string) => void }) {
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let u: string | null = null;
    reviewApi
      .photo(token, filingId, doc.sha256)
      .then((b) => {
        u = URL.createObjectURL(b);
        setUrl(u);
      })
      .catch(() => setFailed(true));
    return () => {
      if (u) URL.revokeObjectURL(u);
    };
  }, [token, filingId, doc.sha256]);
  return (
    <figure className="thumb-cell">
      {url ? (
        <button type="button" className="thumb" onClick={() => onOpen(url)} aria-label={label} data-testid="review-photo">
          <img src={url} alt={label} />
        </button>
      ) : (
        <span className={`thumb placeholder${failed ? ' failed' : ''}`} />
      )}
      <figcaption>{label}</figcaption>
    </figure>
  );
}

/** Tablet estimate next to the server's re-settlement, differences flagged. */
function Comparison({ data }: { data: ReviewDetailData }) {
  const { t } = useTranslation();
  const est = data.filing.content.estimate;
  const rs = data.resettlement;
  if (!est && !rs) return null;
  const rows = [...PAYERS.filter((p) => (est?.payers[p] ?? 0) !== 0 || (rs?.payers?.[p] ?? 0) !== 0), 'patient'];
  const value = (src: 'tablet' | 'server', key: string): number | undefined =>
    src === 'tablet' ? (key === 'patient' ? est?.patient : est?.payers[key]) : key === 'patient' ? rs?.patient : rs?.payers?.[key];
  return (
    <div className={`card${data.difference ? ' warning' : ''}`} data-testid="comparison">
      <h2>{t('review.comparison')}</h2>
      {data.difference ? <p role="alert" data-testid="difference">{t('review.differs')}</p> : <p className="muted">{t('review.agrees')}</p>}
      {rs && !rs.ok && <p className="error">{t('review.resettleFailed', { error: rs.error ?? '' })}</p>}
      <table className="compare">
        <thead>
          <tr>
            <th />
            <th>{t('review.tablet', { pack: est ? `${est.packId} ${est.packVersion}` : '' })}</th>
            <th>{t('review.server', { pack: rs?.packVersion ?? '' })}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((k) => {
            const a = value('tablet', k);
            const b = value('server', k);
            return (
              <tr key={k} className={a !== undefined && b !== undefined && a !== b ? 'diff' : ''}>
                <th>{layerName(k, currentLang())}</th>
                <td>{a !== undefined ? yuan(a) : '—'}</td>
                <td>{b !== undefined ? yuan(b) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function ReviewDetail({ id }: { id: string }) {
  const { t } = useTranslation();
  const session = useSession();
  const [data, setData] = useState<ReviewDetailData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<{ path?: string; message: string } | null>(null);
  const [viewing, setViewing] = useState<string | null>(null);
  const [form, setForm] = useState({ amount: '', reason: '', paidOn: today(), reference: '' });
  const [busy, setBusy] = useState(false);
  const [amountTouched, setAmountTouched] = useState(false);
  /** An approval or rejection waiting for the reviewer's confirmation. */
  const [asking, setAsking] = useState<Omit<ActionBody, 'rev'> | null>(null);
  const received = useRef(false);

  const fail = useCallback((e: unknown) => setError(e instanceof OfflineError ? t('review.offline') : e instanceof ApiError ? e.message : String(e)), [t]);

  useEffect(() => {
    if (!session) return;
    reviewApi
      .get(session.token, id)
      .then(async (d) => {
        // Opening a submitted filing at one's own stage acknowledges receipt (受理).
        if (d.canAct && d.filing.status === 'submitted' && d.actions.includes('receive') && !received.current) {
          received.current = true;
          d = await reviewApi.act(session.token, id, { action: 'receive', rev: d.rev });
        }
        setData(d);
      })
      .catch(fail);
  }, [session, id, fail]);

  if (!session) return <p className="page">{t('review.signIn')}</p>;
  if (error && !data) return <p className="page error">{error}</p>;
  if (!data) return <p className="page">{t('common.loading')}</p>;
  const f = data.filing;
  const pack = builtinPack(f.packId);
  const type: FilingTypeRule | undefined = pack ? filingType(pack, f.type) : undefined;
  if (!pack || !type) return <p className="page">{t('filing.unknownType', { type: f.type, pack: f.packId })}</p>;
  const { final } = currentStage(type, f);
  const grant = type.grant ? pack.grants.find((g) => g.id === type.grant) : undefined;
  const suggested = final ? suggestedAmount(type, grant ? grant.amount.v : null, data.resettlement?.ok ? (data.resettlement.payers as Partial<Record<Payer, number>>) : null) : null;
  // The suggestion is in the field from the start (editable); what the reviewer types stays theirs.
  const amountValue = form.amount === '' && !amountTouched && suggested !== null ? (suggested / 100).toFixed(2) : form.amount;

  const act = async (body: Omit<ActionBody, 'rev'>) => {
    setBusy(true);
    setFieldError(null);
    setError(null);
    try {
      setData(await reviewApi.act(session.token, id, { ...body, rev: data.rev }));
      setForm((x) => ({ ...x, reason: '', reference: '' }));
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) setFieldError({ path: e.detail?.path, message: e.message });
      else if (e instanceof ApiError && e.status === 409) {
        setError(t('review.stale'));
        setData(await reviewApi.get(session.token, id));
      } else fail(e);
    } finally {
      setBusy(false);
    }
  };
  const errFor = (path: string) => (fieldError && fieldError.path === path ? fieldError.message : null);
  const can = (a: string) => data.canAct && data.actions.includes(a);
  const approveLabel = final ? t('review.approveFinal') : t('review.approveStage');

  return (
    <section className="page" data-testid="review-detail">
      <p>
        <Link to="/review">{t('review.back')}</Link>
      </p>
      <div className="page-head">
        <h1>
          {packText(type.title)} <StatusBadge filing={{ status: f.status, amount: f.amount } as FilingRow} />
        </h1>
        <p className="muted" data-testid="review-member">
          {data.member.name} · {data.member.idNumber ? <MaskedId id={data.member.idNumber} testId="review-id" /> : ''} · {data.village.name} ({data.village.code}) · {t('filing.versionN', { version: f.version })}
        </p>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}

      <dl className="facts">
        {type.fields
          .filter((x) => f.content.fields[x.id])
          .map((x) => (
            <div key={x.id} className="fact">
              <dt>{t(`filing.field.${x.id}`)}</dt>
              <dd>{fieldText(t, pack, type, x.id, f.content.fields[x.id]!)}</dd>
            </div>
          ))}
        {f.content.villageConfirmation && (
          <div className="fact">
            <dt>{packText(type.review[0]!)}</dt>
            <dd>
              {f.content.villageConfirmation.by} · {date(f.content.villageConfirmation.date)}
            </dd>
          </div>
        )}
        {f.content.consent && (
          <div className="fact">
            <dt>{t('filing.consent.title')}</dt>
            <dd>{t(f.content.consent.method === 'signature' ? 'filing.consent.signedBy' : 'filing.consent.photoBy', { name: f.content.consent.signer })}</dd>
          </div>
        )}
      </dl>

      <Knew data={data} />
      <Comparison data={data} />
      <VersionChanges data={data} pack={pack} type={type} />

      <h2>{t('filing.documents')}</h2>
      <div className="thumbs large">
        {f.content.documents.map((d) => (
          <ServerPhoto key={d.id} token={session.token} filingId={f.id} doc={d} label={documentTitle(t, type, d.kind)} onOpen={setViewing} />
        ))}
      </div>
      <PhotoViewer url={viewing} label={t('filing.documents')} onClose={() => setViewing(null)} />

      {data.canAct && (
        <div className="card" data-testid="review-actions">
          <h2>{t('review.actions')}</h2>
          {can('approve') && (
            <div className="action-block">
              {final && type.outcome === 'amount' && (
                <Field id="amount" label={t('review.amount')} error={errFor('amount')} hint={grant ? t('review.grantDefault', { amount: yuan(grant.amount.v) }) : suggested !== null ? t('review.suggested', { amount: yuan(suggested) }) : null}>
                  <input
                    id="amount"
                    type="text"
                    inputMode="decimal"
                    value={amountValue}
                    placeholder={grant ? (grant.amount.v / 100).toFixed(2) : '0.00'}
                    onChange={(e) => {
                      setAmountTouched(true);
                      setForm({ ...form, amount: e.target.value });
                    }}
                    data-testid="approve-amount"
                  />
                </Field>
              )}
              <button
                type="button"
                className="primary"
                disabled={busy}
                data-testid="approve"
                onClick={() => {
                  const amount = amountValue.trim() === '' && grant ? (grant.amount.v / 100).toFixed(2) : amountValue.trim();
                  if (final && type.outcome === 'amount' && fenOf(amount) === null) return setFieldError({ path: 'amount', message: t('review.amountInvalid') });
                  setFieldError(null);
                  setAsking({ action: 'approve', ...(final && type.outcome === 'amount' ? { amount } : {}) });
                }}
              >
                {approveLabel}
              </button>
            </div>
          )}
          {(can('return') || can('reject')) && (
            <div className="action-block">
              <Field id="reason" label={t('review.reason')} error={errFor('reason')}>
                <textarea id="reason" rows={3} maxLength={500} value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })} data-testid="review-reason" />
              </Field>
              <div className="actions">
                {can('return') && (
                  <button type="button" disabled={busy} onClick={() => (form.reason.trim() ? void act({ action: 'return', reason: form.reason }) : setFieldError({ path: 'reason', message: t('review.reasonRequired') }))} data-testid="return">
                    {t('review.return')}
                  </button>
                )}
                {can('reject') && (
                  <button
                    type="button"
                    className="danger"
                    disabled={busy}
                    onClick={() => {
                      if (!form.reason.trim()) return setFieldError({ path: 'reason', message: t('review.reasonRequired') });
                      setFieldError(null);
                      setAsking({ action: 'reject', reason: form.reason });
                    }}
                    data-testid="reject"
                  >
                    {t('review.reject')}
                  </button>
                )}
              </div>
            </div>
          )}
          {can('pay') && (
            <div className="action-block">
              <Field id="paidOn" label={t('review.paidOn')} error={errFor('paidOn')}>
                <input id="paidOn" type="date" max={today()} value={form.paidOn} onChange={(e) => setForm({ ...form, paidOn: e.target.value })} />
              </Field>
              <Field id="reference" label={t('review.reference')} error={errFor('reference')}>
                <input id="reference" type="text" maxLength={100} value={form.reference} onChange={(e) => setForm({ ...form, reference: e.target.value })} />
              </Field>
              <button type="button" className="primary" disabled={busy} onClick={() => void act({ action: 'pay', paidOn: form.paidOn, ...(form.reference.trim() ? { reference: form.reference.trim() } : {}) })} data-testid="pay">
                {t('review.pay', { amount: f.amount !== null ? yuan(f.amount) : '' })}
              </button>
            </div>
          )}
        </div>
      )}

      <ConfirmDialog
        open={asking !== null}
        title={asking?.action === 'reject' ? t('review.rejectTitle') : final ? t('review.approveFinalTitle') : t('review.approveStageTitle')}
        message={
          <>
            <p className="confirm-subject">
              {packText(type.title)} · {data.member.name}
            </p>
            <p>
              {asking?.action === 'reject'
                ? t('review.rejectText', { reason: asking.reason?.trim() ?? '' })
                : !final
                  ? t('review.approveStageText')
                  : asking?.amount !== undefined
                    ? t('review.approveAmountText', { amount: yuan(fenOf(asking.amount) ?? 0) })
                    : t('review.approveFinalText')}
            </p>
          </>
        }
        confirmLabel={asking?.action === 'reject' ? t('review.reject') : approveLabel}
        danger={asking?.action === 'reject'}
        busy={busy}
        onConfirm={() => {
          const body = asking!;
          setAsking(null);
          void act(body);
        }}
        onCancel={() => setAsking(null)}
      />

      <h2>{t('filing.timeline')}</h2>
      <Timeline filing={{ ...f, rev: data.rev } as FilingRow} type={type} />
    </section>
  );
}
