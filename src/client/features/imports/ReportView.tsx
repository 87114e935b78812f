import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FIELDS } from '../../../model/exports/headings.ts';
import type { Change, ImportReport } from '../../../model/import-report.ts';
import { num, zhText } from '../../i18n/index.ts';
import { ShowMore } from '../common/ShowMore.tsx';
import type { Mapping } from './api.ts';

const PAGE = 50;

/**
 * An import's report: the file as read (format, encoding, sheet, heading row), what each column was
 * taken for (a choice per column while it can still be changed: `onMapping`), the problems by row
 * and column, and the changes it makes or made.
 */
export function ReportView({ report, mapping, onMapping }: { report: ImportReport; mapping: Mapping; onMapping?: (m: Mapping) => void }) {
  const { t } = useTranslation();
  const f = report.file;
  return (
    <div className="import-report" data-testid="import-report">
      <dl className="facts">
        {f.format && (
          <>
            <dt>{t('imports.report.format')}</dt>
            <dd data-testid="import-format">{f.format === 'xlsx' ? 'Excel (.xlsx)' : 'CSV'}</dd>
          </>
        )}
        {f.encoding && (
          <>
            <dt>{t('imports.report.encoding')}</dt>
            <dd data-testid="import-encoding">{t(`imports.report.enc.${f.encoding}`)}</dd>
          </>
        )}
        {f.sheet && (
          <>
            <dt>{t('imports.report.sheet')}</dt>
            <dd>{f.sheet}</dd>
          </>
        )}
        {report.headingRow !== null && (
          <>
            <dt>{t('imports.report.headingRow')}</dt>
            <dd>{t('imports.report.rowN', { n: report.headingRow })}</dd>
          </>
        )}
        {(report.ok || report.rows > 0) && (
          <>
            <dt>{t('imports.report.rows')}</dt>
            <dd data-testid="import-rows">{num(report.rows)}</dd>
          </>
        )}
      </dl>
      {report.problems.length > 0 && <Problems report={report} />}
      {report.columns.length > 0 && <Columns report={report} mapping={mapping} onMapping={onMapping} />}
      {report.ok && report.changes > 0 && <Changes report={report} />}
    </div>
  );
}

function Problems({ report }: { report: ImportReport }) {
  const { t } = useTranslation();
  const [shown, setShown] = useState(PAGE);
  return (
    <div className="card warning">
      <h2>{t('imports.problems.title', { n: num(report.problems.length) })}</h2>
      <table className="report-table" data-testid="import-problems">
        <thead>
          <tr>
            <th>{t('imports.problems.row')}</th>
            <th>{t('imports.problems.column')}</th>
            <th>{t('imports.problems.what')}</th>
          </tr>
        </thead>
        <tbody>
          {report.problems.slice(0, shown).map((p, i) => (
            <tr key={i} data-testid="import-problem">
              <td className="nowrap">{p.row ?? t('imports.problems.whole')}</td>
              <td className="col">{p.column ? `${p.column}${p.heading ? ` ${p.heading}` : ''}` : ''}</td>
              <td>{zhText(p.message)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ShowMore total={report.problems.length} shown={shown} page={PAGE} onMore={() => setShown((n) => n + PAGE)} />
    </div>
  );
}

function Columns({ report, mapping, onMapping }: { report: ImportReport; mapping: Mapping; onMapping?: (m: Mapping) => void }) {
  const { t } = useTranslation();
  // A column is named in the mapping by its heading, or by its letter when it has none.
  const keyOf = (c: ImportReport['columns'][number]) => c.heading || c.column;
  const chosen = (c: ImportReport['columns'][number]) => (keyOf(c) in mapping ? mapping[keyOf(c)]! : (c.field ?? ''));
  return (
    <div className="card">
      <h2>{t('imports.columns.title')}</h2>
      {onMapping && <p className="muted">{t('imports.columns.hint')}</p>}
      <table className="report-table" data-testid="import-columns">
        <thead>
          <tr>
            <th>{t('imports.columns.column')}</th>
            <th>{t('imports.columns.heading')}</th>
            <th>{t('imports.columns.field')}</th>
          </tr>
        </thead>
        <tbody>
          {report.columns.map((c) => (
            <tr key={c.column} data-testid="import-column" data-column={c.column}>
              <td>{c.column}</td>
              <td>{c.heading}</td>
              <td>
                {onMapping ? (
                  <select
                    value={chosen(c)}
                    aria-label={`${t('imports.columns.field')} ${c.column} ${c.heading}`}
                    onChange={(e) => onMapping({ ...mapping, [keyOf(c)]: e.target.value })}
                    data-testid={`import-map-${c.column}`}
                  >
                    <option value="">{t('imports.columns.skip')}</option>
                    {FIELDS.map((x) => (
                      <option key={x.field} value={x.field}>
                        {x.label}
                        {x.required ? t('imports.columns.required') : ''}
                      </option>
                    ))}
                  </select>
                ) : (
                  (c.label ?? t('imports.columns.skip'))
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function value(v: unknown, words: { empty: string; yes: string; no: string }): string {
  if (v === null || v === undefined || v === '') return words.empty;
  if (typeof v === 'boolean') return v ? words.yes : words.no;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function Changes({ report }: { report: ImportReport }) {
  const { t } = useTranslation();
  const [shown, setShown] = useState(PAGE);
  const c = report.counts;
  const line = (k: 'village' | 'household' | 'member' | 'status') => {
    const parts = [c[k].created && t('imports.changes.created', { n: num(c[k].created) }), c[k].updated && t('imports.changes.updated', { n: num(c[k].updated) })];
    if (k === 'member' && c.member.unchanged) parts.push(t('imports.changes.unchanged', { n: num(c.member.unchanged) }));
    return parts.filter(Boolean).join('，');
  };
  const kinds = (['village', 'household', 'member', 'status'] as const).filter((k) => line(k) !== '');
  const words = { empty: t('imports.changes.empty'), yes: t('common.yes'), no: t('common.no') };
  return (
    <div className="card" data-testid="import-changes">
      <h2>{t('imports.changes.title')}</h2>
      <ul className="counts">
        {kinds.map((k) => (
          <li key={k}>
            {t(`imports.changes.${k}`)}：{line(k)}
          </li>
        ))}
      </ul>
      {report.listed < report.changes && <p className="muted">{t('imports.changes.listed', { n: num(report.listed) })}</p>}
      <ul className="change-list">
        {report.changeList.slice(0, shown).map((ch: Change) => (
          <li key={`${ch.entity}-${ch.id}-${ch.row}`} data-testid="import-change">
            <span className="meta">{t('imports.report.rowN', { n: ch.row })}</span> <strong>{ch.label}</strong> <span className="badge">{t(`imports.changes.${ch.op}`)}</span>
            {ch.op === 'update' && (
              <ul>
                {ch.fields.map((x) => (
                  <li key={x.field}>
                    {x.label}：{value(x.from, words)} → {value(x.to, words)}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
      <ShowMore total={report.changeList.length} shown={shown} page={PAGE} onMore={() => setShown((n) => n + PAGE)} />
    </div>
  );
}
