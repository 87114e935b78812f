import { useTranslation } from 'react-i18next';
import { maskId, maskPhone } from '../../../model/idcard.ts';
import type { SearchHit } from '../../db/search.ts';
import { Link } from '../../router.tsx';
import { stateLabel } from '../members/labels.ts';

export function SearchResults({ hits, onPick }: { hits: SearchHit[]; onPick?: () => void }) {
  const { t } = useTranslation();
  return (
    <ul className="list results" data-testid="search-results">
      {hits.map((h) =>
        h.member ? (
          <li key={`m${h.member.id}`} onClick={onPick}>
            <Link to={`/members/${h.member.id}`} className="row-link" data-testid="search-hit">
              <span className="title">
                {h.member.name}
                <small>
                  {' '}
                  · {t(`sex.${h.member.sex}`)} · {h.member.birthDate.slice(0, 4)}
                </small>
                {stateLabel(t, h.member) && <span className="badge muted-badge">{stateLabel(t, h.member)}</span>}
              </span>
              <span className="meta mono">
                {t(`search.by.${h.kind}`)} · {maskId(h.member.idNumber)}
                {h.member.phone ? ` · ${maskPhone(h.member.phone)}` : ''}
              </span>
            </Link>
          </li>
        ) : (
          <li key={`h${h.household!.id}`} onClick={onPick}>
            <Link to={`/households/${h.household!.id}`} className="row-link" data-testid="search-hit">
              <span className="title">{t('households.numberShort', { number: h.household!.number })}</span>
              <span className="meta">
                {t(`search.by.${h.kind}`)} · {h.household!.address}
              </span>
            </Link>
          </li>
        ),
      )}
    </ul>
  );
}
