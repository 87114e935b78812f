import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { builtinPack } from '../../../rules/index.ts';
import { filingType } from '../../../model/filing.ts';
import { editableContent } from '../../db/filings.ts';
import { db } from '../../db/schema.ts';
import { Link } from '../../router.tsx';
import { FilingEditor } from './FilingEditor.tsx';
import { FilingView, StatusBadge } from './FilingView.tsx';
import { packText } from './labels.ts';
import { markFilingSeen } from './news.ts';

/** One filing: the form while it is a draft or being corrected, otherwise where it stands. */
export function FilingPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const data = useLiveQuery(async () => {
    const d = db();
    const filing = await d.filings.get(id);
    if (!filing) return { filing: null } as const;
    const [member, statuses, ledger] = await Promise.all([d.members.get(filing.memberId), d.statuses.where('memberId').equals(filing.memberId).toArray(), d.ledger.where('memberId').equals(filing.memberId).toArray()]);
    return { filing, member, statuses, ledger } as const;
  }, [id]);
  const seenStatus = data?.filing?.status;
  useEffect(() => {
    if (seenStatus) void markFilingSeen(id, seenStatus);
  }, [id, seenStatus]);
  if (!data) return <p className="page">{t('common.loading')}</p>;
  if (!data.filing || !data.member) return <p className="page">{t('notFound.title')}</p>;
  const { filing, member, statuses, ledger } = data;
  const pack = builtinPack(filing.packId);
  const type = pack ? filingType(pack, filing.type) : undefined;
  if (!pack || !type) return <p className="page">{t('filing.unknownType', { type: filing.type, pack: filing.packId })}</p>;
  const content = editableContent(filing);
  return (
    <section className="page" data-testid="filing-page">
      <div className="page-head">
        <h1>
          {packText(type.title)} <StatusBadge filing={filing} />
        </h1>
        <p className="muted">
          <Link to={`/members/${member.id}`}>{member.name}</Link> · {t('filing.path')}: {type.review.map((s) => packText(s)).join(' → ')}
        </p>
      </div>
      {content ? <FilingEditor key={`${filing.id}-${filing.status}`} filing={filing} content={content} pack={pack} type={type} member={member} statuses={statuses} ledger={ledger} /> : <FilingView filing={filing} type={type} />}
    </section>
  );
}
