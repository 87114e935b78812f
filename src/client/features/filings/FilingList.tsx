import { useLiveQuery } from 'dexie-react-hooks';
import { useTranslation } from 'react-i18next';
import { builtinPack } from '../../../rules/index.ts';
import { filingType, lastReason } from '../../../model/filing.ts';
import { needsAction } from '../../db/filings.ts';
import { db, type FilingRow } from '../../db/schema.ts';
import { date, localDate } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { StatusBadge } from './FilingView.tsx';
import { packText } from './labels.ts';

export type FilingScope = { memberId: string } | { householdId: string } | { villageId: string } | { all: true };

async function load(scope: FilingScope): Promise<FilingRow[]> {
  const d = db();
  if ('memberId' in scope) return d.filings.where('memberId').equals(scope.memberId).toArray();
  if ('householdId' in scope) return d.filings.where('householdId').equals(scope.householdId).toArray();
  if ('villageId' in scope) return d.filings.where('villageId').equals(scope.villageId).toArray();
  return d.filings.toArray();
}

/** Filings of a member, household, village or all, what needs the doctor first. */
export function FilingList({ scope, showMember = true }: { scope: FilingScope; showMember?: boolean }) {
  const { t } = useTranslation();
  const rows = useLiveQuery(async () => {
    const fs = await load(scope);
    const names = new Map((await db().members.bulkGet([...new Set(fs.map((f) => f.memberId))])).flatMap((m) => (m ? [[m.id, m.name] as const] : [])));
    return fs
      .map((f) => ({ f, name: names.get(f.memberId) ?? '', rank: needsAction(f) ?? 9 }))
      .sort((a, b) => a.rank - b.rank || b.f.updatedAt.localeCompare(a.f.updatedAt));
  }, [JSON.stringify(scope)]);
  if (!rows) return <p className="muted">{t('common.loading')}</p>;
  if (rows.length === 0) return <p className="muted">{t('filing.none')}</p>;
  return (
    <ul className="list filings" data-testid="filing-list">
      {rows.map(({ f, name, rank }) => {
        const pack = builtinPack(f.packId);
        const type = pack ? filingType(pack, f.type) : undefined;
        const reason = f.local?.problem?.message ?? (f.status === 'returned' || f.status === 'rejected' ? lastReason(f) : null);
        return (
          <li key={f.id} className={rank === 0 ? 'attention' : ''} data-testid="filing-row">
            <Link to={`/filings/${f.id}`} className="title">
              {showMember ? `${name} · ` : ''}
              {type ? packText(type.title) : f.type}
            </Link>
            <StatusBadge filing={f} />
            <span className="meta">
              {date(localDate(new Date(f.updatedAt)))}
              {reason ? ` · ${reason}` : ''}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

/** All filings on the tablet: what needs action first. */
export function FilingsPage({ villageId }: { villageId: string | null }) {
  const { t } = useTranslation();
  const village = useLiveQuery(async () => (villageId ? ((await db().villages.get(villageId)) ?? null) : null), [villageId]);
  return (
    <section className="page">
      <h1>{villageId ? t('filing.villageTitle', { name: village?.name ?? '' }) : t('filing.title')}</h1>
      <p className="hint">{t('filing.listNote')}</p>
      <FilingList scope={villageId ? { villageId } : { all: true }} />
    </section>
  );
}
