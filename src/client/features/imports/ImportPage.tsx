import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportEntry, ImportReport } from '../../../model/import-report.ts';
import { date, localDate, num, zhText } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { ApiError, OfflineError } from '../../sync/api.ts';
import { ConfirmDialog } from '../common/ConfirmDialog.tsx';
import { useSession } from '../sync/useSession.ts';
import { download } from '../common/download.ts';
import { importApi, type Mapping } from './api.ts';
import { ReportView } from './ReportView.tsx';

const IMPORTERS = new Set(['admin', 'county-reviewer']);

function size(bytes: number): string {
  return bytes < 1024 * 1024 ? `${num(Math.max(1, Math.round(bytes / 1024)))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The county clerk's roster import: choose the file, check it (a dry run that lists every problem
 * by row and column, and every change), adjust what a column holds where its heading is not
 * recognised, then import after a confirmation. The file and the mapping stay while the clerk
 * corrects or the network fails, and the mapping stays for the corrected file chosen next. Below, the history of imports with their reports.
 */
export function ImportPage() {
  const { t } = useTranslation();
  const session = useSession();
  const [file, setFile] = useState<File | null>(null);
  const [mapping, setMapping] = useState<Mapping>({});
  const [report, setReport] = useState<ImportReport | null>(null);
  const [busy, setBusy] = useState<'check' | 'apply' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const [history, setHistory] = useState<ImportEntry[] | null>(null);
  const [historyAt, setHistoryAt] = useState(0);

  useEffect(() => {
    if (!session || !IMPORTERS.has(session.role)) return;
    let live = true;
    importApi
      .history(session.token)
      .then((h) => live && setHistory(h.imports))
      .catch((e) => live && setError(words(e)));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [session?.token, historyAt]);

  const words = (e: unknown) => (e instanceof OfflineError ? t('imports.offline') : e instanceof ApiError ? e.message : String(e));

  if (session === null) {
    return (
      <section className="page">
        <h1>{t('imports.title')}</h1>
        <p>
          <Link to="/login">{t('imports.signIn')}</Link>
        </p>
      </section>
    );
  }
  if (!IMPORTERS.has(session.role)) {
    return (
      <section className="page">
        <h1>{t('imports.title')}</h1>
        <p>{t('imports.notAllowed')}</p>
      </section>
    );
  }

  const run = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(dryRun ? 'check' : 'apply');
    setError(null);
    try {
      const r = await importApi.send(session.token, file, { dryRun, mapping });
      setReport(r);
      setAsking(false);
      setHistoryAt((n) => n + 1);
    } catch (e) {
      setError(words(e));
    } finally {
      setBusy(null);
    }
  };

  // A new file keeps the columns chosen for the last one: a corrected file has the same layout.
  const choose = (f: File | null) => {
    setFile(f);
    setReport(null);
    setError(null);
  };

  const canApply = report !== null && report.ok && report.dryRun && report.changes > 0;
  const mapped = report !== null && Object.keys(mapping).length > 0;
  return (
    <section className="page import-page" data-testid="import-page">
      <h1>{t('imports.title')}</h1>
      <p className="muted">{t('imports.intro')}</p>
      <p>
        <button type="button" className="link-button" onClick={() => void download(session.token, '/api/export/template.xlsx', '花名册导入模板.xlsx').catch((e) => setError(words(e)))} data-testid="import-template">
          {t('imports.template')}
        </button>
      </p>
      <div className="card">
        <label className="file-pick">
          <span className="label">{t('imports.file')}</span>
          <input type="file" accept=".xlsx,.csv,.txt,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv" onChange={(e) => choose(e.target.files?.[0] ?? null)} data-testid="import-file" />
        </label>
        {file && <p data-testid="import-chosen">{t('imports.chosen', { name: file.name, size: size(file.size) })}</p>}
        <div className="actions">
          <button type="button" className="primary" disabled={!file || busy !== null} onClick={() => void run(true)} data-testid="import-check">
            {busy === 'check' ? t('imports.checking') : mapped ? t('imports.recheck') : t('imports.check')}
          </button>
          {canApply && (
            <button type="button" className="primary" disabled={busy !== null} onClick={() => setAsking(true)} data-testid="import-apply">
              {t('imports.apply', { n: num(report.changes) })}
            </button>
          )}
        </div>
        {error && (
          <p className="error" role="alert" data-testid="import-error">
            {error}
          </p>
        )}
      </div>
      {report && (
        <>
          <p className={report.ok ? 'notice' : 'error'} role="status" data-testid="import-summary" data-ok={report.ok ? 'yes' : 'no'} data-applied={report.applied ? 'yes' : 'no'}>
            {report.applied ? `${t('imports.done')} ` : ''}
            {zhText(report.summary)}
          </p>
          {!report.ok && <p>{t('imports.fixFirst')}</p>}
          {report.ok && report.changes === 0 && <p data-testid="import-same">{t('imports.same')}</p>}
          <ReportView report={report} mapping={mapping} onMapping={report.applied ? undefined : setMapping} />
        </>
      )}
      <ConfirmDialog
        open={asking && canApply}
        title={t('imports.confirmTitle')}
        message={t('imports.confirmBody', { n: num(report?.changes ?? 0), summary: zhText(report?.summary ?? '') })}
        confirmLabel={busy === 'apply' ? t('imports.applying') : t('imports.confirm')}
        busy={busy === 'apply'}
        error={asking ? error : null}
        onConfirm={() => void run(false)}
        onCancel={() => setAsking(false)}
      />
      <History entries={history} />
    </section>
  );
}

function History({ entries }: { entries: ImportEntry[] | null }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<string | null>(null);
  return (
    <div className="card" data-testid="import-history">
      <h2>{t('imports.history.title')}</h2>
      {entries === null ? (
        <p className="muted">{t('imports.history.loading')}</p>
      ) : entries.length === 0 ? (
        <p className="muted">{t('imports.history.empty')}</p>
      ) : (
        <ul className="import-history">
          {entries.map((e) => (
            <li key={e.id} data-testid="import-history-row">
              <div className="title">
                {e.fileName}
                <span className={`badge ${e.ok ? '' : 'muted-badge'}`}>
                  {e.dryRun ? t('imports.history.dryRun') : t('imports.history.real')} · {e.ok ? t('imports.history.ok') : t('imports.history.refused')}
                </span>
              </div>
              <div className="meta">
                {t('imports.history.by', { user: e.username, at: `${date(localDate(new Date(e.at)))} ${new Date(e.at).toTimeString().slice(0, 5)}` })} · {t('imports.history.rows', { rows: num(e.rows), changes: num(e.changes) })}
              </div>
              <p className="meta">{zhText(e.report.summary)}</p>
              <button type="button" className="link-button" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? null : e.id)}>
                {open === e.id ? t('imports.history.close') : t('imports.history.open')}
              </button>
              {open === e.id && <ReportView report={e.report} mapping={{}} />}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
