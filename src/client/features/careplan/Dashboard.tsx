import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FILING_STATUSES } from '../../../model/filing.ts';
import { villageFigures, type Figure, type VillageFigures } from '../../../model/careplan/index.ts';
import { worklistInput } from '../../db/careplan.ts';
import { db } from '../../db/schema.ts';
import { date, num, today, yuan } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';

type Key = 'households' | 'members' | 'registeredPoor' | 'monitored' | 'insuredThisYear' | 'contracted' | 'twoDiseases' | 'followedUpThisQuarter' | 'visitedThisQuarter';
const ROWS: Key[] = ['households', 'members', 'registeredPoor', 'monitored', 'insuredThisYear', 'contracted', 'twoDiseases', 'followedUpThisQuarter', 'visitedThisQuarter'];

/**
 * 村情 of each of the tablet's villages, from its own store (src/model/careplan/dashboard.ts): the
 * counts, the rates as bars (CSS, no chart library), a tap on a number lists who it counts;
 * printable.
 */
export function Dashboard() {
  const { t } = useTranslation();
  const on = today();
  const data = useLiveQuery(async () => {
    const input = await worklistInput(on);
    const d = db();
    const villages = new Map((await d.villages.toArray()).map((v) => [v.id, v.name]));
    return { figures: villageFigures(input).sort((a, b) => (villages.get(a.villageId) ?? '').localeCompare(villages.get(b.villageId) ?? '', 'zh')), villages, members: new Map(input.members.map((m) => [m.id, m.name])), households: new Map(input.households.map((h) => [h.id, h])) };
  }, [on]);
  if (!data) return <section className="page" />;
  return (
    <section className="page dashboard" data-testid="dashboard">
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
      {data.figures.map((f) => (
        <VillageCard key={f.villageId} f={f} name={data.villages.get(f.villageId) ?? ''} nameOf={(id) => data.members.get(id) ?? (data.households.get(id) ? t('households.numberShort', { number: data.households.get(id)!.number }) : id)} />
      ))}
    </section>
  );
}

function VillageCard({ f, name, nameOf }: { f: VillageFigures; name: string; nameOf: (id: string) => string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<Key | null>(null);
  const row = (k: Key) => {
    const fig: Figure = f[k];
    const pct = fig.of ? Math.round((fig.ids.length / fig.of) * 100) : null;
    return (
      <div key={k} className="dash-row">
        <span className="dash-label">{t(`care.dash.${k}`)}</span>
        <button type="button" className="link dash-value" onClick={() => setOpen(open === k ? null : k)} aria-expanded={open === k} data-testid={`dash-${k}`}>
          {num(fig.ids.length)}
          {fig.of !== null && ` / ${num(fig.of)}`}
        </button>
        {pct !== null && (
          <span className="dash-bar" aria-hidden="true">
            <span style={{ width: `${pct}%` }} />
          </span>
        )}
        {pct !== null && <span className="dash-pct">{pct}%</span>}
        {open === k && (
          <p className="dash-list" data-testid="dash-list">
            {fig.ids.length ? fig.ids.map((id) => nameOf(id)).join('、') : t('care.dash.none')}
          </p>
        )}
      </div>
    );
  };
  return (
    <div className="card" data-testid="dash-village">
      <h2>
        <Link to={`/villages/${f.villageId}`}>{name}</Link>
      </h2>
      {ROWS.map(row)}
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
