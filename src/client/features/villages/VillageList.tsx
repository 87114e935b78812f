import { useLiveQuery } from 'dexie-react-hooks';
import { useTranslation } from 'react-i18next';
import { db } from '../../db/schema.ts';
import { num } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { isReviewer } from '../../sync/session.ts';
import { useWorkCount } from '../careplan/lazy.tsx';
import { useSession } from '../sync/useSession.ts';

let marked = false;
/** The first moment the doctor can act: measured by the client benchmark. */
function markFirstUsable(): void {
  if (marked) return;
  marked = true;
  performance.mark('cunyi:first-usable');
}

/** Villages grouped by township, with household and member counts. */
export function VillageList() {
  const { t } = useTranslation();
  const reviewer = isReviewer(useSession()?.role);
  const work = useWorkCount();
  const data = useLiveQuery(async () => {
    const villages = await db().villages.orderBy('code').toArray();
    const counts = await Promise.all(
      villages.map(async (v) => ({
        households: await db().households.where('villageId').equals(v.id).count(),
        members: await db().members.where('villageId').equals(v.id).count(),
      })),
    );
    return villages.map((v, i) => ({ v, ...counts[i]! }));
  }, []);
  if (!data) return <p className="page">{t('common.loading')}</p>;
  markFirstUsable();
  const townships = new Map<string, typeof data>();
  for (const row of data) {
    const list = townships.get(row.v.townshipName) ?? [];
    list.push(row);
    townships.set(row.v.townshipName, list);
  }
  return (
    <section className="page">
      <h1>{t('villages.title')}</h1>
      {data[0] && <p className="muted">{data[0].v.countyName}</p>}
      {!reviewer && work !== null && (
        <Link to="/worklist" className="card row-link today-work" data-testid="home-worklist">
          <span className="title">{t('care.home', { count: work })}</span>
          <span className="meta">{t('care.homeHint')}</span>
        </Link>
      )}
      {/* A county has dozens of villages: one township open at a time (the first to begin with), the
          others a tap away, instead of one page thousands of pixels long. */}
      {[...townships].map(([township, rows], i) => (
        <details key={township} className="group township" open={i === 0 || townships.size === 1} data-testid="township">
          <summary>
            <span className="title">{township}</span>
            <span className="meta">{t('villages.townshipCounts', { villages: num(rows.length), members: num(rows.reduce((n, r) => n + r.members, 0)) })}</span>
          </summary>
          <ul className="list">
            {rows.map(({ v, households, members }) => (
              <li key={v.id}>
                <Link to={`/villages/${v.id}`} className="row-link" data-testid="village-link">
                  <span className="title">{v.name}</span>
                  <span className="meta">{t('villages.counts', { households: num(households), members: num(members) })}</span>
                </Link>
              </li>
            ))}
          </ul>
        </details>
      ))}
      {!reviewer && (
        <p>
          <Link to="/exports" className="button" data-testid="villages-exports">
            {t('settings.exports')}
          </Link>
        </p>
      )}
    </section>
  );
}
