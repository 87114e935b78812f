import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { builtinPack, PAYERS, type CompiledPack, type FilingFieldId, type FilingTypeRule } from '../../../rules/index.ts';
import type { TFunction } from 'i18next';
import { layerName } from '../../../rules/index.ts';
import { currentStage, fenOf, lastReason, type FilingContent } from '../../../model/filing.ts';
import { editReturned, shownStatus } from '../../db/filings.ts';
import type { FilingRow } from '../../db/schema.ts';
import { currentLang, date, localDate, yuan } from '../../i18n/index.ts';
import { documentTitle, packText, stageName, stageTitle } from './labels.ts';
import { PhotoViewer, Thumb } from './Thumb.tsx';

/** An instant in the tablet's local time: its local date, then hours and minutes. */
export function dateTime(iso: string): string {
  const d = new Date(iso);
  return `${date(localDate(d))} ${d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false })}`;
}

/** A field's value as the doctor reads it: names for ids (disease, hospital), yes/no. */
export function fieldText(t: TFunction, pack: CompiledPack | null, type: FilingTypeRule, id: FilingFieldId, v: string): string {
  if (id === 'lateStage') return t(v === 'yes' ? 'common.yes' : 'common.no');
  if (id === 'grantDisease') {
    const d = pack?.grants.find((g) => g.id === type.grant)?.diseases.find((x) => x.id === v);
    return d ? packText(d.name) : v;
  }
  if (id === 'facility' && pack) {
    if (v.startsWith('c:')) {
      const c = pack.classes.find((x) => x.id === v.slice(2));
      return c ? packText(c) : v;
    }
    const f = pack.facilities.find((x) => x.id === v.slice(2));
    return f ? `${packText(f.name)} · ${packText(pack.classes[f.classIndex]!)}` : v;
  }
  if ((id === 'total' || id === 'outOfCatalog') && fenOf(v) !== null) return yuan(fenOf(v)!);
  if (id === 'admissionDate' || id === 'dischargeDate' || id === 'diagnosisDate') return date(v);
  return v;
}

export function StatusBadge({ filing }: { filing: FilingRow }) {
  const { t } = useTranslation();
  const s = shownStatus(filing);
  return (
    <span className={`badge status-${s}`} data-testid="filing-status" data-status={s}>
      {t(`filing.status.${s}`)}
      {(s === 'approved' || s === 'paid') && filing.amount !== null ? ` ${yuan(filing.amount)}` : ''}
    </span>
  );
}

export function ContentView({ type, content, packId }: { type: FilingTypeRule; content: FilingContent; packId: string }) {
  const { t } = useTranslation();
  const [viewing, setViewing] = useState<string | null>(null);
  return (
    <>
      <dl className="facts">
        {type.fields
          .filter((f) => content.fields[f.id])
          .map((f) => (
            <div key={f.id} className="fact">
              <dt>{t(`filing.field.${f.id}`)}</dt>
              <dd>{fieldText(t, builtinPack(content.estimate?.packId ?? packId), type, f.id, content.fields[f.id]!)}</dd>
            </div>
          ))}
        {content.estimate && (
          <div className="fact">
            <dt>{t('filing.estimate.title')}</dt>
            <dd>
              {t('filing.estimate.patient')} {yuan(content.estimate.patient)} ·{' '}
              {PAYERS.filter((p) => content.estimate!.payers[p])
                .map((p) => `${layerName(p, currentLang())} ${yuan(content.estimate!.payers[p]!)}`)
                .join(' · ')}{' '}
              ({content.estimate.packId} {content.estimate.packVersion})
            </dd>
          </div>
        )}
        {content.villageConfirmation && (
          <div className="fact">
            <dt>{packText(type.review[0]!)}</dt>
            <dd>
              {content.villageConfirmation.by} · {date(content.villageConfirmation.date)}
            </dd>
          </div>
        )}
        {content.consent && (
          <div className="fact">
            <dt>{t('filing.consent.title')}</dt>
            <dd>{t(content.consent.method === 'signature' ? 'filing.consent.signedBy' : 'filing.consent.photoBy', { name: content.consent.signer })}</dd>
          </div>
        )}
      </dl>
      <div className="thumbs">
        {content.documents.map((d) => (
          <figure key={d.id} className="thumb-cell">
            <Thumb sha256={d.sha256} alt={documentTitle(t, type, d.kind)} onOpen={setViewing} />
            <figcaption>{documentTitle(t, type, d.kind)}</figcaption>
          </figure>
        ))}
      </div>
      <PhotoViewer url={viewing} label={t('filing.documents')} onClose={() => setViewing(null)} />
    </>
  );
}

/** Where the filing stands, step by step, with what comes next. */
export function Timeline({ filing, type }: { filing: FilingRow; type: FilingTypeRule }) {
  const { t } = useTranslation();
  const s = shownStatus(filing);
  const items: { at: string; text: string; note?: string; key: string }[] = [{ key: 'created', at: filing.createdAt, text: t('filing.event.created') }];
  for (const [i, e] of filing.events.entries()) {
    const stage = stageName(type, e.stage);
    const text =
      e.action === 'approved' && e.amount !== undefined
        ? t('filing.event.approvedAmount', { amount: yuan(e.amount), stage })
        : e.action === 'paid'
          ? t('filing.event.paidOn', { amount: yuan(e.amount ?? 0), date: date(e.paidOn ?? '') })
          : t(`filing.event.${e.action}`, { stage, version: e.version });
    items.push({ key: `e${i}`, at: e.at, text, note: [[e.role ? t(`roleName.${e.role}`) : '', e.byName || e.by].filter(Boolean).join(' '), e.reason, e.reference].filter(Boolean).join(' · ') });
  }
  if (s === 'queued') items.push({ key: 'queued', at: filing.updatedAt, text: t('filing.event.queued') });
  const { stage, final } = currentStage(type, filing);
  const waiting = ['submitted', 'received', 'in-review'].includes(s) && stage ? t('filing.event.waiting', { stage: stageTitle(type, stage.id) }) : s === 'approved' && type.outcome === 'amount' && final ? t('filing.event.waitingPayment') : null;
  return (
    <ol className="timeline" data-testid="timeline">
      {items.map((x) => (
        <li key={x.key}>
          <span className="when">{dateTime(x.at)}</span>
          <span className="what">{x.text}</span>
          {x.note && <span className="meta">{x.note}</span>}
        </li>
      ))}
      {waiting && <li className="next">{waiting}</li>}
    </ol>
  );
}

export function FilingView({ filing, type }: { filing: FilingRow; type: FilingTypeRule }) {
  const { t } = useTranslation();
  const s = shownStatus(filing);
  const reason = lastReason(filing);
  return (
    <div className="filing-view">
      {s === 'returned' && (
        <div className="card warning" role="alert" data-testid="returned-reason">
          <p>
            <strong>{t('filing.returnedTitle')}</strong> {reason}
          </p>
          <button type="button" className="primary" onClick={() => void editReturned(filing.id)} data-testid="correct-filing">
            {t('filing.correct')}
          </button>
        </div>
      )}
      {s === 'rejected' && reason && (
        <div className="card warning" role="alert">
          <strong>{t('filing.rejectedTitle')}</strong> {reason}
        </div>
      )}
      {filing.local?.problem && (
        <div className="card warning" role="alert" data-testid="filing-problem">
          <strong>{t('filing.refused')}</strong> {filing.local.problem.message}
        </div>
      )}
      <h2>{t('filing.timeline')}</h2>
      <Timeline filing={filing} type={type} />
      <h2>{t('filing.versionN', { version: filing.version || 1 })}</h2>
      <ContentView type={type} content={filing.content} packId={filing.packId} />
      {filing.versions.length > 1 && (
        <>
          <h2>{t('filing.history')}</h2>
          <ul className="list compact" data-testid="versions">
            {filing.versions.map((v) => (
              <li key={v.version}>
                <span className="title">{t('filing.versionN', { version: v.version })}</span>
                <span className="meta">
                  {dateTime(v.submittedAt)} · {t('filing.photoCount', { count: v.content.documents.length })}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
