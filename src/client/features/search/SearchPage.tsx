import { useTranslation } from 'react-i18next';
import { useRouter } from '../../router.tsx';
import { SearchResults } from './SearchResults.tsx';
import { useSearch } from './useSearch.ts';

export function SearchPage() {
  const { t } = useTranslation();
  const { loc } = useRouter();
  const q = loc.query.get('q') ?? '';
  const { hits, pending } = useSearch(q, 100);
  return (
    <section className="page">
      <h1>{t('search.resultsFor', { q })}</h1>
      <p className="muted">{t('search.help')}</p>
      {!pending && hits.length === 0 ? <p>{t('search.none')}</p> : <SearchResults hits={hits} />}
    </section>
  );
}
