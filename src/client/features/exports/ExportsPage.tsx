import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { db } from '../../db/schema.ts';
import { bytes, num, today } from '../../i18n/index.ts';
import { downloadExport, EXPORT_KINDS, type ExportKind } from './build.ts';

type State = { kind: ExportKind; busy: true } | { kind: ExportKind; busy: false; file: string; rows: number; size: number } | { kind: ExportKind; busy: false; error: string };

/**
 * 导出表格: the roster, the chronic certifications, the 台账 of a year and the filings of this
 * tablet's villages (or one of them) as .xlsx, made on the tablet from its own store, offline.
 */
export function ExportsPage() {
  const { t } = useTranslation();
  const villages = useLiveQuery(() => db().villages.orderBy('code').toArray(), []);
  const [villageId, setVillageId] = useState('');
  const thisYear = Number(today().slice(0, 4));
  const [year, setYear] = useState(thisYear);
  const [state, setState] = useState<State | null>(null);

  if (!villages) return <p className="page">{t('common.loading')}</p>;
  if (villages.length === 0) {
    return (
      <section className="page narrow">
        <h1>{t('exports.title')}</h1>
        <p>{t('exports.none')}</p>
      </section>
    );
  }

  const run = async (kind: ExportKind) => {
    setState({ kind, busy: true });
    try {
      const r = await downloadExport({ kind, villageId: villageId || null, year, today: today() });
      setState({ kind, busy: false, file: r.fileName, rows: r.rows, size: r.bytes });
    } catch (e) {
      setState({ kind, busy: false, error: e instanceof Error ? e.message : String(e) });
    }
  };
  const busy = state?.busy === true;

  return (
    <section className="page narrow exports">
      <h1>{t('exports.title')}</h1>
      <p className="muted">{t('exports.lead')}</p>
      <div className="filters">
        <div className="field">
          <label htmlFor="export-village">{t('exports.scope')}</label>
          <select id="export-village" data-testid="export-village" value={villageId} onChange={(e) => setVillageId(e.target.value)}>
            <option value="">{t('exports.all', { count: villages.length })}</option>
            {villages.map((v) => (
              <option key={v.id} value={v.id}>
                {v.townshipName} {v.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      {EXPORT_KINDS.map((kind) => (
        <div className="card" key={kind} data-testid={`export-card-${kind}`}>
          <h2>{t(`exports.kind.${kind}.title`, { year })}</h2>
          <p className="hint">{t(`exports.kind.${kind}.hint`)}</p>
          <div className="actions">
            {kind === 'ledger' && (
              <div className="field">
                <label htmlFor="export-year">{t('exports.year')}</label>
                <select id="export-year" data-testid="export-year" value={year} onChange={(e) => setYear(Number(e.target.value))}>
                  {Array.from({ length: 6 }, (_, i) => thisYear - i).map((y) => (
                    <option key={y} value={y}>
                      {y}
                    </option>
                  ))}
                </select>
              </div>
            )}
            <button type="button" className="primary" data-testid={`export-${kind}`} disabled={busy} onClick={() => void run(kind)}>
              {state?.kind === kind && state.busy ? t('exports.busy') : t('exports.button')}
            </button>
          </div>
          {state?.kind === kind && !state.busy && (
            <p className={'error' in state ? 'error' : 'notice'} role="status" data-testid="export-result">
              {'error' in state ? t('exports.failed', { reason: state.error }) : t('exports.done', { file: state.file, rows: num(state.rows), size: bytes(state.size).replace(/ /g, '\u00a0') })}
            </p>
          )}
        </div>
      ))}
    </section>
  );
}
