import { useLiveQuery } from 'dexie-react-hooks';
import { useTranslation } from 'react-i18next';
import { SavedNotice } from '../common/SavedNotice.tsx';
import { statusOnDate } from '../../db/repo.ts';
import { db } from '../../db/schema.ts';
import { today } from '../../i18n/index.ts';
import { FilingList } from '../filings/FilingList.tsx';
import { Link } from '../../router.tsx';
import { ageOn, stateLabel, statusLabel } from '../members/labels.ts';

export function HouseholdDetail({ id }: { id: string }) {
  const { t } = useTranslation();
  const data = useLiveQuery(async () => {
    const d = db();
    const h = await d.households.get(id);
    if (!h) return { h: null } as const;
    const village = await d.villages.get(h.villageId);
    const members = await d.members.where('householdId').equals(id).toArray();
    const statuses = await d.statuses.where('memberId').anyOf(members.map((m) => m.id)).toArray();
    const enrolments = await d.enrolments.where('memberId').anyOf(members.map((m) => m.id)).toArray();
    return { h, village, members, statuses, enrolments } as const;
  }, [id]);
  if (!data) return <p className="page">{t('common.loading')}</p>;
  if (!data.h) return <p className="page">{t('notFound.title')}</p>;
  const { h, village, members, statuses, enrolments } = data;
  const on = today();
  const order = ['head', 'spouse', 'parent', 'son', 'daughter', 'daughterInLaw', 'sonInLaw', 'grandchild', 'sibling', 'other'];
  members.sort((a, b) => order.indexOf(a.relation) - order.indexOf(b.relation) || a.birthDate.localeCompare(b.birthDate));
  const head = members.find((m) => m.id === h.headMemberId);
  return (
    <section className="page">
      <div className="page-head">
        <h1 data-testid="household-title">
          {head ? t('households.headOf', { name: head.name }) : t('households.numberShort', { number: h.number })}
          {!head && <span className="badge muted-badge">{t('households.noHead')}</span>}
        </h1>
        <div className="actions">
          <Link to={`/households/${id}/edit`} className="button">
            {t('common.edit')}
          </Link>
          <Link to={`/households/${id}/visits/new`} className="button" data-testid="new-visit">
            {t('care.visit.new')}
          </Link>
          <Link to={`/households/${id}/contracts/new`} className="button" data-testid="new-contract">
            {t('care.actions.contract')}
          </Link>
          <Link to={`/households/${id}/members/new`} className="button primary" data-testid="add-member">
            {t('members.add')}
          </Link>
        </div>
      </div>
      <SavedNotice />
      <dl className="facts">
        <dt>{t('households.number')}</dt>
        <dd>{h.number}</dd>
        <dt>{t('households.village')}</dt>
        <dd>{village ? <Link to={`/villages/${village.id}`}>{`${village.townshipName} · ${village.name}`}</Link> : ''}</dd>
        <dt>{t('households.address')}</dt>
        <dd>{h.address}</dd>
        <dt>{t('households.phone')}</dt>
        <dd>{h.phone ? <a href={`tel:${h.phone}`}>{h.phone}</a> : '—'}</dd>
      </dl>
      <h2>{t('members.title', { count: members.length })}</h2>
      <ul className="list">
        {members.map((m) => {
          const s = statusOnDate(
            statuses.filter((x) => x.memberId === m.id),
            on,
          );
          const enr = enrolments.filter((e) => e.memberId === m.id && !e.endedOn);
          const gone = stateLabel(t, m);
          return (
            <li key={m.id} className={gone ? 'inactive' : ''}>
              <Link to={`/members/${m.id}`} className="row-link" data-testid="member-link">
                <span className="title">
                  {m.name}
                  <small>
                    {' '}
                    · {t(`relation.${m.relation}`)} · {t(`sex.${m.sex}`)} · {t('members.age', { count: ageOn(m.birthDate, on) })}
                  </small>
                  {gone && <span className="badge muted-badge">{gone}</span>}
                </span>
                <span className="meta">
                  {statusLabel(t, s)}
                  {enr.length > 0 && ` · ${t('enrolments.countShort', { count: enr.length })}`}
                </span>
              </Link>
            </li>
          );
        })}
      </ul>
      <h2>{t('filing.title')}</h2>
      <FilingList scope={{ householdId: id }} />
    </section>
  );
}
