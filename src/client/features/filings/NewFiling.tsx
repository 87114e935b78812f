import { useLiveQuery } from 'dexie-react-hooks';
import { useTranslation } from 'react-i18next';
import { builtinPack } from '../../../rules/index.ts';
import { createFiling } from '../../db/filings.ts';
import { db } from '../../db/schema.ts';
import { useRouter } from '../../router.tsx';
import { packText } from './labels.ts';

/** Starts a filing for a member: the types the member's region runs, with what each needs. */
export function NewFiling({ memberId }: { memberId: string }) {
  const { t } = useTranslation();
  const { navigate } = useRouter();
  const data = useLiveQuery(async () => {
    const m = await db().members.get(memberId);
    const v = m ? await db().villages.get(m.villageId) : undefined;
    return { m: m ?? null, v: v ?? null };
  }, [memberId]);
  if (!data) return <p className="page">{t('common.loading')}</p>;
  if (!data.m || !data.v) return <p className="page">{t('notFound.title')}</p>;
  const pack = builtinPack(data.v.packId);
  const start = async (typeId: string) => {
    const f = await createFiling(memberId, typeId);
    navigate(`/filings/${f.id}`, { replace: true });
  };
  return (
    <section className="page">
      <h1>{t('filing.newFor', { name: data.m.name })}</h1>
      {!pack || pack.filings.length === 0 ? (
        <p className="muted">{t('filing.noTypes', { pack: data.v.packId })}</p>
      ) : (
        <ul className="type-list">
          {pack.filings.map((ty) => (
            <li key={ty.id} className="card">
              <h2>{packText(ty.title)}</h2>
              <p className="muted">
                {t('filing.needs')}: {ty.documents.filter((d) => d.required).map((d) => packText(d)).join('、')}
              </p>
              <p className="muted">
                {t('filing.path')}: {ty.review.map((s) => packText(s)).join(' → ')}
              </p>
              {ty.basis === 'assumption' && <p className="hint">{t('filing.assumedType')}</p>}
              <button type="button" className="primary" onClick={() => void start(ty.id)} data-testid={`start-${ty.id}`}>
                {t('filing.start')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
