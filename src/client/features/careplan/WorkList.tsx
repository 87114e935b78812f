import { useLiveQuery } from 'dexie-react-hooks';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { ItemKind, WorkItem } from '../../../model/careplan/index.ts';
import { ITEM_KINDS } from '../../../model/careplan/index.ts';
import { workList } from '../../db/careplan.ts';
import { db } from '../../db/schema.ts';
import { date, today } from '../../i18n/index.ts';
import { Link, useRouter } from '../../router.tsx';

/** Where an item is settled: the form that, once saved, takes it off the list. */
export function itemLink(i: WorkItem): string {
  const disease = String(i.reason.params.disease ?? '');
  switch (i.kind) {
    case 'followup':
    case 'recheck':
      return `/members/${i.memberId}/followups/new${disease ? `?disease=${disease}` : ''}`;
    case 'contract-renewal':
      return `/households/${i.householdId}/contracts/new${i.memberId ? `?member=${i.memberId}` : ''}`;
    case 'filing-returned':
      return i.reason.params.filingId ? `/filings/${i.reason.params.filingId}` : `/members/${i.memberId}`;
    case 'filing-needed':
      return `/members/${i.memberId}/filings/new`;
    case 'household-visit':
    case 'measure':
      return `/households/${i.householdId}/visits/new`;
    case 'insurance':
      return i.memberId ? `/members/${i.memberId}` : `/households/${i.householdId}`;
    default:
      return i.householdId ? `/households/${i.householdId}` : `/members/${i.memberId}`;
  }
}

/**
 * 待办: what is due in the doctor's or cadre's villages, generated on the tablet from the local
 * data (src/model/careplan/worklist.ts), most urgent first, filterable by village and kind; each
 * item one tap from the form that settles it. Works offline; a saved form takes its item off.
 */
export function WorkList() {
  const { t } = useTranslation();
  const { loc, navigate } = useRouter();
  const village = loc.query.get('village') ?? '';
  const kind = (loc.query.get('kind') ?? '') as ItemKind | '';
  const filter = `${village}|${kind}`;
  const fresh = useLiveQuery(async () => {
    const items = await workList(today(), { ...(village ? { villageIds: [village] } : {}), ...(kind ? { kinds: [kind] } : {}) });
    const d = db();
    const villages = await d.villages.toArray();
    const members = new Map((await d.members.bulkGet([...new Set(items.flatMap((i) => (i.memberId ? [i.memberId] : [])))])).flatMap((m) => (m ? [[m.id, m] as const] : [])));
    const households = new Map((await d.households.bulkGet([...new Set(items.flatMap((i) => (i.householdId ? [i.householdId] : [])))])).flatMap((h) => (h ? [[h.id, h] as const] : [])));
    const heads = new Map((await d.members.bulkGet([...households.values()].flatMap((h) => (h.headMemberId ? [h.headMemberId] : [])))).flatMap((m) => (m ? [[m.id, m.name] as const] : [])));
    return { filter, items, villages, members, households, heads };
  }, [village, kind]);
  // The list as last computed stays on screen (marked busy) while another filter's is computed, so a
  // change of filter neither blanks the page nor shows the old filter's items as the new one's.
  const last = useRef(fresh);
  if (fresh) last.current = fresh;
  const data = fresh ?? last.current;
  const busy = !data || data.filter !== filter;

  const setFilter = (k: 'village' | 'kind', v: string) => {
    const q = new URLSearchParams(loc.query);
    if (v) q.set(k, v);
    else q.delete(k);
    navigate(`/worklist${q.size ? `?${q}` : ''}`, { replace: true });
  };

  if (!data) return <section className="page" />;
  const villageName = new Map(data.villages.map((v) => [v.id, v.name]));
  const shown = data.items.filter((i) => i.state !== 'upcoming').length;
  return (
    <section className="page" data-testid="worklist" aria-busy={busy} data-filter={data.filter}>
      <h1>{t('care.title', { count: shown })}</h1>
      <div className="filters">
        <label>
          {t('care.village')}
          <select value={village} onChange={(e) => setFilter('village', e.target.value)} data-testid="worklist-village">
            <option value="">{t('care.allVillages')}</option>
            {data.villages.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('care.kind')}
          <select value={kind} onChange={(e) => setFilter('kind', e.target.value)} data-testid="worklist-kind">
            <option value="">{t('care.allKinds')}</option>
            {ITEM_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`care.kinds.${k}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {data.items.length === 0 ? (
        <p className="muted">{t('care.empty')}</p>
      ) : (
        <ul className="list">
          {data.items.map((i) => {
            const m = i.memberId ? data.members.get(i.memberId) : undefined;
            const h = i.householdId ? data.households.get(i.householdId) : undefined;
            const who = m ? m.name : h ? (h.headMemberId && data.heads.get(h.headMemberId) ? t('households.headOf', { name: data.heads.get(h.headMemberId) }) : t('households.numberShort', { number: h.number })) : '';
            const disease = i.reason.params.disease ? t(`care.diseases.${i.reason.params.disease}`) : '';
            return (
              <li key={i.id} className={`work-item ${i.state} ${i.urgency}`}>
                <Link to={itemLink(i)} className="row-link" data-testid="work-item">
                  <span className="title">
                    {who}
                    <small> · {villageName.get(i.villageId) ?? ''}</small>
                    <span className={`badge state-${i.state}`} data-testid="work-state">
                      {t(`care.states.${i.state}`)}
                    </span>
                    {i.urgency === 'urgent' && <span className="badge urgent">{t('care.urgency.urgent')}</span>}
                  </span>
                  <span className="meta">
                    {t(`care.kinds.${i.kind}`)} · {t(`care.reasons.${i.reason.code}`, { ...i.reason.params, disease })} · {t('care.due', { date: date(i.due) })}
                  </span>
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
