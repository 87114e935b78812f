import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import * as v from 'valibot';
import { FILING_STATUSES } from '../../../model/filing.ts';
import { countsOf, DashboardReportSchema, FIGURE_KEYS, FigureListSchema, sumReports, villageFigures, type DashboardReport, type FigureKey, type VillageReport } from '../../../model/careplan/index.ts';
import { worklistInput } from '../../db/careplan.ts';
import { db } from '../../db/schema.ts';
import { date, num, today, yuan } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { ApiError, call, OfflineError } from '../../sync/api.ts';
import { isReviewer } from '../../sync/session.ts';
import { useSession } from '../sync/useSession.ts';

type Figures = Pick<VillageReport, 'figures' | 'filingsByStatus' | 'approvedFen' | 'paidFen'>;
/** The names behind a figure: at once from the tablet's store, or asked of the county. */
type ListOf = (k: FigureKey) => Promise<string[]>;

/**
 * 村情. On a doctor's or cadre's tablet: each of its villages from its own store, offline. For a
 * township or county reviewer (who keeps no roster): every village of their area, online, computed
 * by the county server with the same pure code (GET /api/dashboard), by township with its total.
 * The rates as bars (CSS, no chart library); a tap on a number lists who it counts; printable.
 */
export function Dashboard() {
  const session = useSession();
  return isReviewer(session?.role) ? <AreaDashboard token={session!.token} /> : <TabletDashboard />;
}

function Head({ on }: { on: string }) {
  const { t } = useTranslation();
  return (
    <>
      <div className="page-head">
        <h1>
          {t('care.dash.title')} <small className="muted">{t('care.dash.asOf', { date: date(on) })}</small>
        </h1>
        <div className="actions no-print">
          <button type="button" onClick={() => window.print()}>
            {t('care.dash.print')}
          </button>
        </div>
      </div>
      <p className="muted no-print">{t('care.dash.showList')}</p>
    </>
  );
}

function TabletDashboard() {
  const on = today();
  const data = useLiveQuery(async () => {
    const input = await worklistInput(on);
    const d = db();
    const villages = new Map((await d.villages.toArray()).map((v) => [v.id, v.name]));
    return { figures: villageFigures(input).sort((a, b) => (villages.get(a.villageId) ?? '').localeCompare(villages.get(b.villageId) ?? '', 'zh')), villages, members: new Map(input.members.map((m) => [m.id, m.name])), households: new Map(input.households.map((h) => [h.id, h])) };
  }, [on]);
  const { t } = useTranslation();
  if (!data) return <section className="page" />;
  const nameOf = (id: string) => data.members.get(id) ?? (data.households.get(id) ? t('households.numberShort', { number: data.households.get(id)!.number }) : id);
  return (
    <section className="page dashboard" data-testid="dashboard">
      <Head on={on} />
      {data.figures.map((f) => (
        <VillageCard key={f.villageId} title={<Link to={`/villages/${f.villageId}`}>{data.villages.get(f.villageId) ?? ''}</Link>} f={{ figures: countsOf(f), filingsByStatus: f.filingsByStatus as Figures['filingsByStatus'], approvedFen: f.approvedFen, paidFen: f.paidFen }} listOf={async (k) => f[k].ids.map(nameOf)} />
      ))}
    </section>
  );
}

/** The reviewer's area, online: the county's figures, by township, each with its total. */
function AreaDashboard({ token }: { token: string }) {
  const { t } = useTranslation();
  const [report, setReport] = useState<DashboardReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    call<unknown>('/api/dashboard', { token })
      .then((r) => live && setReport(v.parse(DashboardReportSchema, r)))
      .catch((e: unknown) => live && setError(e instanceof OfflineError ? t('care.dash.offline') : e instanceof ApiError ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [token, t]);
  if (error)
    return (
      <section className="page dashboard" data-testid="dashboard">
        <h1>{t('care.dash.title')}</h1>
        <p className="error" role="alert">
          {error}
        </p>
      </section>
    );
  if (!report) return <p className="page">{t('common.loading')}</p>;
  const townships = new Map<string, VillageReport[]>();
  for (const x of report.villages) townships.set(x.townshipCode, [...(townships.get(x.townshipCode) ?? []), x]);
  const listOf = (villageId: string): ListOf => async (k) => v.parse(FigureListSchema, await call<unknown>(`/api/dashboard/list?village=${villageId}&figure=${k}`, { token })).names;
  return (
    <section className="page dashboard" data-testid="dashboard">
      <Head on={report.asOf} />
      {townships.size > 1 && <VillageCard title={t('care.dash.total')} f={sumReports(report.villages)} listOf={null} testid="dash-total" />}
      {[...townships.values()].map((villages, i) => (
        <details key={villages[0]!.townshipCode} className="township" open={i === 0 || townships.size === 1} data-testid="dash-township">
          <summary>
            <span>{villages[0]!.townshipName}</span>
            <span className="meta">{t('villages.townshipCounts', { villages: num(villages.length), members: num(villages.reduce((s, x) => s + x.figures.members.count, 0)) })}</span>
          </summary>
          {villages.length > 1 && <VillageCard title={t('care.dash.townshipTotal', { name: villages[0]!.townshipName })} f={sumReports(villages)} listOf={null} testid="dash-township-total" />}
          {villages.map((x) => (
            <VillageCard key={x.villageId} title={x.name} f={x} listOf={listOf(x.villageId)} />
          ))}
        </details>
      ))}
    </section>
  );
}

/** One village's (or an area's) figures; `listOf` null: a total, whose numbers list no names. */
function VillageCard({ title, f, listOf, testid = 'dash-village' }: { title: React.ReactNode; f: Figures; listOf: ListOf | null; testid?: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<{ key: FigureKey; names: string[] | null; error?: string } | null>(null);
  const show = (k: FigureKey) => {
    if (!listOf) return;
    if (open?.key === k) return setOpen(null);
    setOpen({ key: k, names: null });
    listOf(k).then(
      (names) => setOpen((o) => (o?.key === k ? { key: k, names } : o)),
      (e: unknown) => setOpen((o) => (o?.key === k ? { key: k, names: [], error: e instanceof OfflineError ? t('care.dash.offline') : e instanceof Error ? e.message : String(e) } : o)),
    );
  };
  const row = (k: FigureKey) => {
    const fig = f.figures[k];
    const pct = fig.of ? Math.round((fig.count / fig.of) * 100) : null;
    const value = (
      <>
        {num(fig.count)}
        {fig.of !== null && ` / ${num(fig.of)}`}
      </>
    );
    return (
      <div key={k} className="dash-row">
        <span className="dash-label">{t(`care.dash.${k}`)}</span>
        {listOf ? (
          <button type="button" className="link dash-value" onClick={() => show(k)} aria-expanded={open?.key === k} data-testid={`dash-${k}`}>
            {value}
          </button>
        ) : (
          <span className="dash-value" data-testid={`dash-${k}`}>
            {value}
          </span>
        )}
        {pct !== null && (
          <span className="dash-bar" aria-hidden="true">
            <span style={{ width: `${pct}%` }} />
          </span>
        )}
        {pct !== null && <span className="dash-pct">{pct}%</span>}
        {open?.key === k && (
          <p className="dash-list" data-testid="dash-list">
            {open.error ?? (open.names === null ? t('common.loading') : open.names.length ? open.names.join('、') : t('care.dash.none'))}
          </p>
        )}
      </div>
    );
  };
  return (
    <div className="card" data-testid={testid}>
      <h2>{title}</h2>
      {FIGURE_KEYS.map(row)}
      <div className="dash-row">
        <span className="dash-label">{t('care.dash.filings')}</span>
        <span className="dash-value">
          {FILING_STATUSES.filter((s) => f.filingsByStatus[s]).map((s) => `${t(`filing.status.${s}`, { defaultValue: s })} ${f.filingsByStatus[s]}`).join(' · ') || t('care.dash.none')}
        </span>
      </div>
      <p className="muted">{t('care.dash.approved', { amount: yuan(f.approvedFen), paid: yuan(f.paidFen) })}</p>
    </div>
  );
}
