import { useTranslation } from 'react-i18next';
import { today } from '../../i18n/index.ts';
import { EXPORT_KINDS, type ExportKind } from './build.ts';

/** Where an export stands: being made, made (what to say of it), or refused (why). */
export type ExportState = { kind: ExportKind; busy: true } | { kind: ExportKind; busy: false; done: string } | { kind: ExportKind; busy: false; error: string };

/** One card a kind of file (roster, enrolments, 台账 of a year, filings), each with its button and outcome. */
export function ExportCards({ state, year, onYear, onRun }: { state: ExportState | null; year: number; onYear: (y: number) => void; onRun: (kind: ExportKind) => void }) {
  const { t } = useTranslation();
  const thisYear = Number(today().slice(0, 4));
  const busy = state?.busy === true;
  return (
    <>
      {EXPORT_KINDS.map((kind) => (
        <div className="card" key={kind} data-testid={`export-card-${kind}`}>
          <h2>{t(`exports.kind.${kind}.title`, { year })}</h2>
          <p className="hint">{t(`exports.kind.${kind}.hint`)}</p>
          <div className="actions">
            {kind === 'ledger' && (
              <div className="field">
                <label htmlFor="export-year">{t('exports.year')}</label>
                <select id="export-year" data-testid="export-year" value={year} onChange={(e) => onYear(Number(e.target.value))}>
                  {Array.from({ length: 6 }, (_, i) => thisYear - i).map((y) => (
                    <option key={y} value={y}>
                      {y}
                    </option>
                  ))}
                </select>
              </div>
            )}
            <button type="button" className="primary" data-testid={`export-${kind}`} disabled={busy} onClick={() => onRun(kind)}>
              {state?.kind === kind && state.busy ? t('exports.busy') : t('exports.button')}
            </button>
          </div>
          {state?.kind === kind && !state.busy && (
            <p className={'error' in state ? 'error' : 'notice'} role="status" data-testid="export-result">
              {'error' in state ? t('exports.failed', { reason: state.error }) : state.done}
            </p>
          )}
        </div>
      ))}
    </>
  );
}
