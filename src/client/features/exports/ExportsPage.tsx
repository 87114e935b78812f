import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { db } from '../../db/schema.ts';
import { bytes, num, today } from '../../i18n/index.ts';
import { downloadExport, type ExportKind } from './build.ts';
import { ExportCards, type ExportState } from './ExportCards.tsx';
import { ServerExports } from './ServerExports.tsx';
import { isReviewer } from '../../sync/session.ts';
import { useSession } from '../sync/useSession.ts';

/**
 * 导出表格: the roster, the chronic certifications, the 台账 of a year and the filings of this
 * tablet's villages (or one of them) as .xlsx, made on the tablet from its own store, offline. A
 * reviewer, whose tablet keeps no roster, gets the same files of their area from the county server.
 */
export function ExportsPage() {
  const { t } = useTranslation();
  const villages = useLiveQuery(() => db().villages.orderBy('code').toArray(), []);
  const [villageId, setVillageId] = useState('');
  const thisYear = Number(today().slice(0, 4));
  const [year, setYear] = useState(thisYear);
  const [state, setState] = useState<ExportState | null>(null);
  const session = useSession();

  if (session && isReviewer(session.role) && villages?.length === 0) return <ServerExports session={session} />;
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
      setState({ kind, busy: false, done: t('exports.done', { file: r.fileName, rows: num(r.rows), size: bytes(r.bytes).replace(/ /g, '\u00a0') }) });
    } catch (e) {
      setState({ kind, busy: false, error: e instanceof Error ? e.message : String(e) });
    }
  };

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
      <ExportCards state={state} year={year} onYear={setYear} onRun={(kind) => void run(kind)} />
    </section>
  );
}
