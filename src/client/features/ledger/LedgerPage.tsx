import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { builtinPack, layerName, PAYERS } from '../../../rules/index.ts';
import { deleteLedgerEntry } from '../../db/repo.ts';
import { db } from '../../db/schema.ts';
import { packText, currentLang, date, yuan } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { historyFromRecords } from '../../../model/estimate.ts';
import { recordedPatient, resettle } from './logic.ts';

/** A member's medical ledger: claims recorded from settlement slips, and the engine's re-settlement. */
export function LedgerPage({ memberId }: { memberId: string }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const [confirming, setConfirming] = useState<string | null>(null);
  const data = useLiveQuery(async () => {
    const d = db();
    const m = await d.members.get(memberId);
    if (!m) return { m: null } as const;
    const [v, statuses, entries] = await Promise.all([d.villages.get(m.villageId), d.statuses.where('memberId').equals(memberId).toArray(), d.ledger.where('memberId').equals(memberId).toArray()]);
    return { m, v, statuses, entries } as const;
  }, [memberId]);
  if (!data) return <p className="page">{t('common.loading')}</p>;
  if (!data.m) return <p className="page">{t('notFound.title')}</p>;
  const history = historyFromRecords(data.statuses);
  const packIds = [...new Set(data.entries.map((e) => e.packId))];
  const rows = packIds.flatMap((id) => resettle(builtinPack(id), history, data.entries));
  rows.sort((a, b) => (a.entry.date < b.entry.date ? 1 : -1));
  const years = [...new Set(rows.map((r) => r.entry.date.slice(0, 4)))];
  return (
    <section className="page">
      <div className="page-head">
        <h1>{t('ledger.titleFor', { name: data.m.name })}</h1>
        <div className="actions">
          <Link to={`/estimate?member=${memberId}`} className="button">
            {t('estimate.title')}
          </Link>
          <Link to={`/members/${memberId}/ledger/new`} className="button primary" data-testid="add-ledger">
            {t('ledger.add')}
          </Link>
        </div>
      </div>
      <p className="muted">{t('ledger.help')}</p>
      {rows.length === 0 && <p>{t('ledger.none')}</p>}
      {years.map((y) => (
        <div key={y}>
          <h2>{t('ledger.year', { year: y })}</h2>
          <ul className="list compact" data-testid={`ledger-${y}`}>
            {rows
              .filter((r) => r.entry.date.startsWith(y))
              .map(({ entry: e, engine, error, differences }) => (
                <li key={e.id} data-testid="ledger-entry">
                  <span className="title">
                    {date(e.date)} · {e.facilityName || packText(builtinPack(e.packId).classes.find((c) => c.id === e.facilityClass), lang)} ·{' '}
                    {t(e.kind === 'inpatient' ? 'estimate.inpatient' : 'estimate.outpatient')}
                    {differences.length > 0 && <span className="badge warn-badge">{t('ledger.differs')}</span>}
                  </span>
                  <span className="meta">
                    {t('ledger.summary', { total: yuan(e.total), out: yuan(e.outOfCatalog), patient: yuan(recordedPatient(e)) })}
                  </span>
                  <table className="resettle">
                    <thead>
                      <tr>
                        <th />
                        {[...PAYERS, 'patient' as const].map((p) => (
                          <th key={p}>{layerName(p, lang)}</th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      <tr>
                        <th>{t('ledger.recorded')}</th>
                        {PAYERS.map((p) => (
                          <td key={p}>{yuan(e.paid[p] ?? 0)}</td>
                        ))}
                        <td>{yuan(recordedPatient(e))}</td>
                      </tr>
                      <tr>
                        <th>{t('ledger.engine')}</th>
                        {engine ? (
                          <>
                            {PAYERS.map((p, i) => (
                              <td key={p} className={differences.includes(p) ? 'diff' : ''}>
                                {yuan(engine.payers[i]!)}
                              </td>
                            ))}
                            <td className={differences.includes('patient') ? 'diff' : ''}>{yuan(engine.patient)}</td>
                          </>
                        ) : (
                          <td colSpan={7} className="diff">
                            {t(`estimate.err.${error?.code}`, { defaultValue: error?.detail ?? '' })}
                          </td>
                        )}
                      </tr>
                    </tbody>
                  </table>
                  <div className="actions">
                    <Link to={`/ledger/${e.id}/edit`} className="button">
                      {t('common.edit')}
                    </Link>
                    {confirming === e.id ? (
                      <>
                        <button type="button" className="danger" onClick={() => void deleteLedgerEntry(e.id).then(() => setConfirming(null))}>
                          {t('ledger.confirmDelete')}
                        </button>
                        <button type="button" onClick={() => setConfirming(null)}>
                          {t('common.cancel')}
                        </button>
                      </>
                    ) : (
                      <button type="button" onClick={() => setConfirming(e.id)}>
                        {t('ledger.delete')}
                      </button>
                    )}
                  </div>
                </li>
              ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
