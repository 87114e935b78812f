import { useTranslation } from 'react-i18next';
import { maskId, maskPhone } from '../../../model/idcard.ts';
import type { SearchHit } from '../../db/search.ts';
import { Link } from '../../router.tsx';
import { useLiveQuery } from 'dexie-react-hooks';
import { db } from '../../db/schema.ts';
import { today } from '../../i18n/index.ts';
import { ageOn, stateLabel } from '../members/labels.ts';

/**
 * What tells two people of one name apart: a member's village and age, a household's head and
 * village; ID numbers masked, phone numbers by their last four digits.
 */
export function SearchResults({ hits, onPick }: { hits: SearchHit[]; onPick?: () => void }) {
  const { t } = useTranslation();
  const on = today();
  const ctx = useLiveQuery(async () => {
    const villages = new Map((await db().villages.toArray()).map((v) => [v.id, v.name]));
    const headIds = hits.flatMap((h) => (h.household?.headMemberId ? [h.household.headMemberId] : []));
    const heads = new Map((await db().members.bulkGet(headIds)).flatMap((m) => (m ? [[m.id, m.name] as const] : [])));
    return { villages, heads };
  }, [hits]);
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
                  · {t(`sex.${h.member.sex}`)} · {t('members.age', { count: ageOn(h.member.birthDate, on) })}
                  {ctx?.villages.get(h.member.villageId) ? ` · ${ctx.villages.get(h.member.villageId)}` : ''}
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
              <span className="title">
                {h.household!.headMemberId && ctx?.heads.get(h.household!.headMemberId) ? `${t('households.headOf', { name: ctx.heads.get(h.household!.headMemberId) })} · ` : ''}
                {t('households.numberShort', { number: h.household!.number })}
                {ctx?.villages.get(h.household!.villageId) ? <small> · {ctx.villages.get(h.household!.villageId)}</small> : null}
              </span>
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
