import { useLiveQuery } from 'dexie-react-hooks';
import { useTranslation } from 'react-i18next';
import { db } from '../../db/schema.ts';
import { Link, useRouter } from '../../router.tsx';
import { useFilingNews } from './news.ts';

/** "2 份代办有新进展": shown on every screen until each changed filing has been opened. */
export function FilingNewsBanner() {
  const { t } = useTranslation();
  const { loc } = useRouter();
  const news = useFilingNews();
  const names = useLiveQuery(async () => {
    const members = await db().members.bulkGet(news.map((n) => n.memberId));
    return members.map((m) => m?.name ?? '');
  }, [news.map((n) => n.id).join()]);
  if (!news.length || loc.path.startsWith('/filings/')) return null;
  const first = news[0]!;
  return (
    <div className="banner info" role="status" data-testid="filing-news" data-status="shown">
      <strong>{t('filingNews.banner', { count: news.length })}</strong>{' '}
      {news.slice(0, 3).map((n, i) => (
        <span key={n.id} className="news-item">
          {i > 0 && '，'}
          {names?.[i] ?? ''} {t(`filing.status.${n.status}`)}
        </span>
      ))}
      {news.length > 3 && ' …'}{' '}
      <Link to={news.length === 1 ? `/filings/${first.id}` : '/filings'} data-testid="filing-news-open">
        {t('filingNews.open')}
      </Link>
    </div>
  );
}
