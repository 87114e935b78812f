import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SavedNotice } from '../common/SavedNotice.tsx';
import { MaskedId } from '../common/MaskedId.tsx';
import { enrolmentDisease } from '../../../model/careplan/diseases.ts';
import type { StatusRecord } from '../../../model/roster.ts';
import { deleteStatus, statusOnDate, updateMember } from '../../db/repo.ts';
import { db } from '../../db/schema.ts';
import { date, today } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { ageOn, stateLabel, statusLabel } from './labels.ts';
import { FilingList } from '../filings/FilingList.tsx';
import { ConfirmDialog } from '../common/ConfirmDialog.tsx';
import { MemberEnrolments } from '../enrolments/MemberEnrolments.tsx';
import './MemberPage.css';

export function MemberPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const [leaving, setLeaving] = useState<null | 'deceased' | 'movedOut'>(null);
  const [leaveDate, setLeaveDate] = useState(today());
  const [leaveError, setLeaveError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<StatusRecord | null>(null);
  const data = useLiveQuery(async () => {
    const d = db();
    const m = await d.members.get(id);
    if (!m) return { m: null } as const;
    const [household, statuses, enrolments] = await Promise.all([
      d.households.get(m.householdId),
      d.statuses.where('memberId').equals(id).toArray(),
      d.enrolments.where('memberId').equals(id).toArray(),
    ]);
    return { m, household, statuses, enrolments } as const;
  }, [id]);
  if (!data) return <p className="page">{t('common.loading')}</p>;
  if (!data.m) return <p className="page">{t('notFound.title')}</p>;
  const { m, household, statuses, enrolments } = data;
  const on = today();
  const current = statusOnDate(statuses, on);
  statuses.sort((a, b) => b.from.localeCompare(a.from));
  const gone = stateLabel(t, m);

  const markLeft = async () => {
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(leaveDate) || leaveDate > on) {
      setLeaveError(t('members.leaveDateInvalid'));
      return;
    }
    await updateMember(id, { state: leaving!, stateDate: leaveDate });
    setLeaving(null);
  };

  return (
    <section className="page">
      <div className="page-head">
        <h1 data-testid="member-name">
          {m.name} {gone && <span className="badge muted-badge">{gone}</span>}
        </h1>
        <div className="actions">
          <Link to={`/estimate?member=${id}`} className="button primary" data-testid="estimate-member">
            {t('estimate.title')}
          </Link>
          <Link to={`/members/${id}/ledger`} className="button" data-testid="ledger-member">
            {t('ledger.title')}
          </Link>
          {enrolments.some((e) => e.endedOn === null && enrolmentDisease(e) !== null) && (
            <Link to={`/members/${id}/followups/new`} className="button" data-testid="new-followup">
              {t('care.actions.followup')}
            </Link>
          )}
          <Link to={`/members/${id}/filings/new`} className="button" data-testid="new-filing">
            {t('filing.new')}
          </Link>
          <Link to={`/members/${id}/edit`} className="button">
            {t('common.edit')}
          </Link>
        </div>
      </div>
      <SavedNotice />
      <dl className="facts">
        <dt>{t('members.idNumber')}</dt>
        <dd>
          <MaskedId id={m.idNumber} />
        </dd>
        <dt>{t('members.sexAge')}</dt>
        <dd>
          {t(`sex.${m.sex}`)} · {t('members.age', { count: ageOn(m.birthDate, on) })} ({date(m.birthDate)})
        </dd>
        <dt>{t('members.relation')}</dt>
        <dd>
          {t(`relation.${m.relation}`)} · {household && <Link to={`/households/${household.id}`}>{t('households.numberShort', { number: household.number })}</Link>}
        </dd>
        <dt>{t('members.phone')}</dt>
        <dd>{m.phone ? <a href={`tel:${m.phone}`}>{m.phone}</a> : '—'}</dd>
        <dt>{t('members.insured')}</dt>
        <dd>
          {t(`members.scheme.${m.insured.scheme}`)}
          {m.insured.year ? ` · ${m.insured.year}` : ''}
        </dd>
        <dt>{t('status.current')}</dt>
        <dd data-testid="current-status">{statusLabel(t, current)}</dd>
        {m.state !== 'active' && (
          <>
            <dt>{gone}</dt>
            <dd>{date(m.stateDate)}</dd>
          </>
        )}
      </dl>

      <div className="section-head">
        <h2>{t('status.history')}</h2>
        <Link to={`/members/${id}/status/new`} className="button">
          {t('status.add')}
        </Link>
      </div>
      <ul className="list compact">
        {statuses.map((s) => (
          <li key={s.id} data-testid="status-row" data-id={s.id}>
            <span className="title">{statusLabel(t, s)}</span>
            <span className="row-actions">
              <Link to={`/members/${id}/status/new?correct=${s.id}`} className="button" data-testid="status-edit">
                {t('common.edit')}
              </Link>
              <button type="button" onClick={() => setRemoving(s)} data-testid="status-remove">
                {t('common.remove')}
              </button>
            </span>
            <span className="meta">
              {t('status.since', { date: date(s.from) })}
              {s.note ? ` · ${s.note}` : ''}
            </span>
          </li>
        ))}
      </ul>
      <ConfirmDialog
        open={removing !== null}
        title={t('status.removeTitle')}
        message={
          removing ? (
            <>
              <p>{t('status.removeText', { status: statusLabel(t, removing), since: t('status.since', { date: date(removing.from) }) })}</p>
              <p className="hint">{t('status.removeHint')}</p>
            </>
          ) : null
        }
        confirmLabel={t('status.removeConfirm')}
        danger
        onConfirm={() => void deleteStatus(removing!.id).then(() => setRemoving(null))}
        onCancel={() => setRemoving(null)}
      />

      <div className="section-head">
        <h2>{t('filing.title')}</h2>
      </div>
      <FilingList scope={{ memberId: id }} showMember={false} />

      <div className="section-head">
        <h2>{t('enrolments.title')}</h2>
        <Link to={`/members/${id}/enrolments/new`} className="button" data-testid="add-enrolment">
          {t('enrolments.add')}
        </Link>
      </div>
      <MemberEnrolments enrolments={enrolments} />

      {m.state === 'active' && (
        <div className="card">
          <h2>{t('members.leaveTitle')}</h2>
          {leaving === null ? (
            <div className="actions">
              <button type="button" onClick={() => setLeaving('deceased')}>
                {t('members.markDeceased')}
              </button>
              <button type="button" onClick={() => setLeaving('movedOut')}>
                {t('members.markMovedOut')}
              </button>
            </div>
          ) : (
            <div>
              <label htmlFor="leaveDate">{t(leaving === 'deceased' ? 'members.deceasedOn' : 'members.movedOutOn')}</label>
              <input id="leaveDate" type="date" value={leaveDate} onChange={(e) => setLeaveDate(e.target.value)} />
              {leaveError && <p className="error">{leaveError}</p>}
              <p className="hint">{t('members.keptNote')}</p>
              <div className="actions">
                <button type="button" className="primary" onClick={() => void markLeft()}>
                  {t('common.confirm')}
                </button>
                <button type="button" onClick={() => setLeaving(null)}>
                  {t('common.cancel')}
                </button>
              </div>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
