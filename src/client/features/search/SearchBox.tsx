import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useRouter } from '../../router.tsx';
import { SearchResults } from './SearchResults.tsx';
import { useSearch } from './useSearch.ts';

/** The search field in the top bar of every screen, with results as you type. */
export function SearchBox() {
  const { t } = useTranslation();
  const { loc, navigate } = useRouter();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const { hits } = useSearch(open ? q : '', 8);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => setOpen(false), [loc.path]);
  useEffect(() => {
    const close = (e: PointerEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', close);
    return () => document.removeEventListener('pointerdown', close);
  }, []);
  return (
    <div className="searchbox" ref={box}>
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          if (q.trim()) navigate(`/search?q=${encodeURIComponent(q.trim())}`);
        }}
      >
        <input
          type="search"
          value={q}
          placeholder={t('search.placeholder')}
          aria-label={t('search.label')}
          data-testid="search-input"
          onChange={(e) => {
            setQ(e.target.value);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
        />
      </form>
      {open && q.trim() !== '' && (
        <div className="dropdown">
          {hits.length === 0 ? <p className="muted">{t('search.none')}</p> : <SearchResults hits={hits} onPick={() => setOpen(false)} />}
        </div>
      )}
    </div>
  );
}
