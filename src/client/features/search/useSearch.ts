import { useEffect, useState } from 'react';
import { search, type SearchHit } from '../../db/search.ts';

/** Results as you type; a newer query always wins over a slower older one. */
export function useSearch(query: string, limit: number): { hits: SearchHit[]; pending: boolean } {
  const [state, setState] = useState<{ q: string; hits: SearchHit[] }>({ q: '', hits: [] });
  useEffect(() => {
    let live = true;
    if (query.trim() === '') {
      setState({ q: query, hits: [] });
      return;
    }
    void search(query, limit).then((hits) => {
      if (live) setState({ q: query, hits });
    });
    return () => {
      live = false;
    };
  }, [query, limit]);
  return { hits: state.q === query ? state.hits : [], pending: state.q !== query };
}
