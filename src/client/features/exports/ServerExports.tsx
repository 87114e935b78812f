import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import * as v from 'valibot';
import { DashboardReportSchema } from '../../../model/careplan/report.ts';
import { bytes, today } from '../../i18n/index.ts';
import { ApiError, call, OfflineError } from '../../sync/api.ts';
import { download } from '../common/download.ts';
import type { Session } from '../../sync/session.ts';
import type { ExportKind } from './build.ts';
import { ExportCards, type ExportState } from './ExportCards.tsx';

type Place = { code: string; name: string };

/**
 * 导出表格 for township and county reviewers, who keep no roster on their tablet: the same files
 * made by the county server for their area, or a township or village of it (online). The places
 * to choose from are those of the reviewer's 村情 (GET /api/dashboard), by township.
 */
export function ServerExports({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [places, setPlaces] = useState<{ townships: (Place & { villages: Place[] })[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [area, setArea] = useState('');
  const thisYear = Number(today().slice(0, 4));
  const [year, setYear] = useState(thisYear);
  const [state, setState] = useState<ExportState | null>(null);
  const words = (e: unknown) => (e instanceof OfflineError ? t('exports.server.offline') : e instanceof ApiError ? e.message : String(e));

  useEffect(() => {
    let live = true;
    call<unknown>('/api/dashboard', { token: session.token })
      .then((r) => {
        if (!live) return;
        const report = v.parse(DashboardReportSchema, r);
        const townships = new Map<string, Place & { villages: Place[] }>();
        for (const x of [...report.villages].sort((a, b) => a.code.localeCompare(b.code))) {
          const code = x.code.slice(0, 9);
          const ts = townships.get(code) ?? { code, name: x.townshipName, villages: [] };
          ts.villages.push({ code: x.code, name: x.name });
          townships.set(code, ts);
        }
        setPlaces({ townships: [...townships.values()] });
      })
      .catch((e) => live && setError(words(e)));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [session.token]);

  const run = async (kind: ExportKind) => {
    setState({ kind, busy: true });
    const q = new URLSearchParams();
    if (area) q.set('area', area);
    if (kind === 'ledger') q.set('year', String(year));
    try {
      const r = await download(session.token, `/api/export/${kind}.xlsx${q.size ? `?${q}` : ''}`, `${kind}.xlsx`);
      setState({ kind, busy: false, done: t('exports.server.done', { file: r.fileName, size: bytes(r.bytes).replace(/ /g, '\u00a0') }) });
    } catch (e) {
      setState({ kind, busy: false, error: words(e) });
    }
  };

  return (
    <section className="page narrow exports" data-testid="server-exports">
      <h1>{t('exports.title')}</h1>
      <p className="muted">{t('exports.server.lead')}</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="filters">
        <div className="field">
          <label htmlFor="export-area">{t('exports.scope')}</label>
          <select id="export-area" data-testid="export-area" value={area} onChange={(e) => setArea(e.target.value)} disabled={places === null}>
            <option value="">{t('exports.server.all')}</option>
            {places?.townships.map((ts) => (
              <optgroup key={ts.code} label={ts.name}>
                <option value={ts.code}>{t('exports.server.township', { name: ts.name, count: ts.villages.length })}</option>
                {ts.villages.map((x) => (
                  <option key={x.code} value={x.code}>
                    {ts.name} {x.name}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </div>
      </div>
      <ExportCards state={state} year={year} onYear={setYear} onRun={(kind) => void run(kind)} />
    </section>
  );
}
