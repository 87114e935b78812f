import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { db, type HouseholdRow, type MemberRow } from '../../db/schema.ts';
import { num } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { ShowMore } from '../common/ShowMore.tsx';

const PAGE = 50;

/** Households of a village (or of all villages), by household number, a page at a time. */
export function HouseholdList({ villageId }: { villageId: string | null }) {
  const { t } = useTranslation();
  const [shown, setShown] = useState(PAGE);
  const data = useLiveQuery(async () => {
    const d = db();
    const village = villageId ? await d.villages.get(villageId) : null;
    const coll = villageId ? d.households.where('[villageId+number]').between([villageId, ''], [villageId, '\uffff']) : d.households.orderBy('[villageId+number]');
    const total = await coll.count();
    const households: HouseholdRow[] = await coll.limit(shown).toArray();
    const heads = await d.members.bulkGet(households.map((h) => h.headMemberId ?? ''));
    const sizes = await Promise.all(households.map((h) => d.members.where('householdId').equals(h.id).count()));
    const villages = villageId ? null : new Map((await d.villages.toArray()).map((v) => [v.id, v.name]));
    return { village, total, rows: households.map((h, i) => ({ h, head: heads[i] as MemberRow | undefined, size: sizes[i]!, villageName: villages?.get(h.villageId) ?? '' })) };
  }, [villageId, shown]);

  if (!data) return <p className="page">{t('common.loading')}</p>;
  if (villageId && !data.village) return <p className="page">{t('notFound.title')}</p>;
  return (
    <section className="page">
      <div className="page-head">
        <h1>{data.village ? data.village.name : t('households.all')}</h1>
        {data.village && (
          <div className="actions">
            <Link to={`/villages/${villageId}/enrolments`} className="button">
              {t('enrolments.title')}
            </Link>
            <Link to={`/villages/${villageId}/filings`} className="button" data-testid="village-filings">
              {t('filing.title')}
            </Link>
            <Link to={`/households/new?village=${villageId}`} className="button primary" data-testid="add-household">
              {t('households.add')}
            </Link>
          </div>
        )}
      </div>
      <p className="muted">
        {data.village ? `${data.village.townshipName} · ` : ''}
        {t('households.count', { count: data.total, n: num(data.total) })}
      </p>
      <ul className="list">
        {data.rows.map(({ h, head, size, villageName }) => (
          <li key={h.id}>
            <Link to={`/households/${h.id}`} className="row-link" data-testid="household-link">
              <span className="title">
                {head ? head.name : t('households.noHead')}
                <small> · {t('households.numberShort', { number: h.number })}</small>
              </span>
              <span className="meta">
                {villageName ? `${villageName} · ` : ''}
                {t('households.size', { count: size })} · {h.address}
              </span>
            </Link>
          </li>
        ))}
      </ul>
      <ShowMore total={data.total} shown={shown} page={PAGE} onMore={() => setShown(shown + PAGE)} />
    </section>
  );
}
