import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { builtinPack } from '../../../rules/index.ts';
import { db } from '../../db/schema.ts';
import { packText, currentLang, date, num, yuan } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { ShowMore } from '../common/ShowMore.tsx';

const PAGE = 100;

/** Chronic-disease enrolments of a village (or of all villages), newest certification first. */
export function EnrolmentList({ villageId }: { villageId: string | null }) {
  const { t } = useTranslation();
  const lang = currentLang() === 'en' ? 'en' : 'zh-CN';
  const [shown, setShown] = useState(PAGE);
  const data = useLiveQuery(async () => {
    const d = db();
    const village = villageId ? ((await d.villages.get(villageId)) ?? null) : null;
    const all = villageId ? await d.enrolments.where('villageId').equals(villageId).toArray() : await d.enrolments.toArray();
    const active = all.filter((e) => !e.endedOn).sort((a, b) => b.certifiedOn.localeCompare(a.certifiedOn));
    const page = active.slice(0, shown);
    const members = await d.members.bulkGet(page.map((e) => e.memberId));
    const byEntry = new Map<string, number>();
    for (const e of active) byEntry.set(e.entryId, (byEntry.get(e.entryId) ?? 0) + 1);
    return { village, total: active.length, rows: page.map((e, i) => ({ e, m: members[i] })), byEntry };
  }, [villageId, shown]);
  if (!data) return <p className="page">{t('common.loading')}</p>;
  const packId = data.rows[0]?.e.packId;
  const pack = packId ? builtinPack(packId) : null;
  const entryName = (id: string) => packText(pack?.outpatient?.entries.find((x) => x.id === id)?.name) ?? id;
  return (
    <section className="page">
      <h1>
        {data.village ? `${data.village.name} · ` : ''}
        {t('enrolments.title')}
      </h1>
      <p className="muted">{t('enrolments.total', { n: num(data.total) })}</p>
      <div className="chips">
        {[...data.byEntry].map(([id, n]) => (
          <span key={id} className="chip">
            {entryName(id)} {num(n)}
          </span>
        ))}
      </div>
      <ul className="list">
        {data.rows.map(({ e, m }) => (
          <li key={e.id}>
            <Link to={`/members/${e.memberId}`} className="row-link">
              <span className="title">
                {m?.name ?? '—'} <small>· {entryName(e.entryId)} ({e.icd})</small>
              </span>
              <span className="meta">
                {t('enrolments.certified', { date: date(e.certifiedOn), hospital: e.hospital })} · {t('enrolments.limit', { amount: yuan(e.annualLimit) })}
              </span>
            </Link>
          </li>
        ))}
      </ul>
      <ShowMore total={data.total} shown={shown} page={PAGE} onMore={() => setShown(shown + PAGE)} />
    </section>
  );
}
