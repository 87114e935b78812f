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

/** A village as the screen shows it: its figures, and how to list who stands behind one of them. */
type Shown = Pick<VillageReport, 'villageId' | 'name' | 'townshipCode' | 'townshipName'> & Figures & { listOf: ListOf; link?: string };

/** The names behind ids of the tablet's store: members by name, households by their head's (or number). */
async function namesOf(ids: readonly string[], t: (k: string, o?: Record<string, unknown>) => string): Promise<string[]> {
  const d = db();
  const members = await d.members.bulkGet([...ids]);
  const missing = ids.filter((_, i) => !members[i]);
  const households = new Map((await d.households.bulkGet(missing)).flatMap((h) => (h ? [[h.id, h] as const] : [])));
  const heads = new Map((await d.members.bulkGet([...households.values()].flatMap((h) => (h.headMemberId ? [h.headMemberId] : [])))).flatMap((m) => (m ? [[m.id, m.name] as const] : [])));
  return ids.map((id, i) => {
    const m = members[i];
    if (m) return m.name;
    const h = households.get(id);
    if (!h) return id;
    const head = h.headMemberId ? heads.get(h.headMemberId) : undefined;
    return head ? t('households.headOf', { name: head }) : t('households.numberShort', { number: h.number });
  });
}

function TabletDashboard() {
  const on = today();
  const { t } = useTranslation();
  const data = useLiveQuery(async () => {
    const input = await worklistInput(on);
    const villages = new Map((await db().villages.toArray()).map((v) => [v.id, v]));
    return { figures: villageFigures(input), villages };
  }, [on]);
  if (!data) return <section className="page" />;
  const shown: Shown[] = data.figures
    .map((f) => {
      const v = data.villages.get(f.villageId);
      return { villageId: f.villageId, name: v?.name ?? '', townshipCode: v?.townshipCode ?? '', townshipName: v?.townshipName ?? '', figures: countsOf(f), filingsByStatus: f.filingsByStatus as Figures['filingsByStatus'], approvedFen: f.approvedFen, paidFen: f.paidFen, listOf: (k: FigureKey) => namesOf(f[k].ids, t), link: `/villages/${f.villageId}` };
    })
    .sort((a, b) => a.townshipCode.localeCompare(b.townshipCode) || a.name.localeCompare(b.name, 'zh'));
  return (
    <section className="page dashboard" data-testid="dashboard">
      <Head on={on} />
      <Townships villages={shown} />
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
  const listOf = (villageId: string): ListOf => async (k) => v.parse(FigureListSchema, await call<unknown>(`/api/dashboard/list?village=${villageId}&figure=${k}`, { token })).names;
  return (
    <section className="page dashboard" data-testid="dashboard">
      <Head on={report.asOf} />
      <Townships villages={report.villages.map((x) => ({ ...x, listOf: listOf(x.villageId) }))} />
    </section>
  );
}

/** Villages by township: the area's total when it spans townships, each township's when it has several villages. */
function Townships({ villages }: { villages: Shown[] }) {
  const { t } = useTranslation();
  const townships = new Map<string, Shown[]>();
  for (const x of villages) townships.set(x.townshipCode, [...(townships.get(x.townshipCode) ?? []), x]);
  return (
    <>
      {townships.size > 1 && <VillageCard title={t('care.dash.total')} f={sumReports(villages)} listOf={null} testid="dash-total" />}
      {[...townships.values()].map((list, i) => (
        <details key={list[0]!.townshipCode} className="township" open={i === 0 || townships.size === 1} data-testid="dash-township">
          <summary>
            <span>{list[0]!.townshipName}</span>
            <span className="meta">{t('villages.townshipCounts', { villages: num(list.length), members: num(list.reduce((s, x) => s + x.figures.members.count, 0)) })}</span>
          </summary>
          {list.length > 1 && <VillageCard title={t('care.dash.townshipTotal', { name: list[0]!.townshipName })} f={sumReports(list)} listOf={null} testid="dash-township-total" />}
          {list.map((x) => (
            <VillageCard key={x.villageId} title={x.link ? <Link to={x.link}>{x.name}</Link> : x.name} f={x} listOf={x.listOf} />
          ))}
        </details>
      ))}
    </>
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
