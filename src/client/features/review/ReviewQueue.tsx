import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, OfflineError } from '../../sync/api.ts';
import { date } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { useSession } from '../sync/useSession.ts';
import { reviewApi, type ReviewSummary } from './api.ts';

const STATUSES = ['submitted', 'received', 'in-review', 'returned', 'approved', 'paid', 'rejected'];

/** The reviewer's queue: the filings of the jurisdiction, those waiting for this reviewer first. */
export function ReviewQueue() {
  const { t } = useTranslation();
  const session = useSession();
  const [filters, setFilters] = useState({ actionable: '1', status: '', type: '', stage: '', village: '', minAge: '', maxAge: '' });
  const [rows, setRows] = useState<ReviewSummary[] | null>(null);
  const [all, setAll] = useState<ReviewSummary[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!session) return;
    let live = true;
    setError(null);
    reviewApi
      .list(session.token, filters)
      .then((r) => {
        if (!live) return;
        setRows(r.filings);
        setAll((old) => [...new Map([...old, ...r.filings].map((x) => [x.id, x])).values()]);
      })
      .catch((e) => live && setError(e instanceof OfflineError ? t('review.offline') : e instanceof ApiError ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [session, filters, t]);

  if (session === null) {
    return (
      <section className="page">
        <h1>{t('review.title')}</h1>
        <p>
          <Link to="/login">{t('review.signIn')}</Link>
        </p>
      </section>
    );
  }
  const set = (k: keyof typeof filters, v: string) => setFilters((f) => ({ ...f, [k]: v }));
  const options = (key: (r: ReviewSummary) => [string, string]) => [...new Map(all.map(key)).entries()];
  return (
    <section className="page" data-testid="review-queue">
      <h1>{t('review.title')}</h1>
      <div className="filters">
        <label className="check">
          <input type="checkbox" checked={filters.actionable === '1'} onChange={(e) => set('actionable', e.target.checked ? '1' : '')} data-testid="filter-actionable" />
          {t('review.actionable')}
        </label>
        <label>
          {t('review.status')}
          <select value={filters.status} onChange={(e) => set('status', e.target.value)}>
            <option value="">{t('review.any')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`filing.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('review.type')}
          <select value={filters.type} onChange={(e) => set('type', e.target.value)}>
            <option value="">{t('review.any')}</option>
            {options((r) => [r.type, r.typeTitle]).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('review.stage')}
          <select value={filters.stage} onChange={(e) => set('stage', e.target.value)}>
            <option value="">{t('review.any')}</option>
            {options((r) => [r.stage ?? '', r.stageTitle]).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('review.village')}
          <select value={filters.village} onChange={(e) => set('village', e.target.value)}>
            <option value="">{t('review.any')}</option>
            {options((r) => [r.village.id, r.village.name]).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('review.age')}
          <span className="range">
            <input type="number" min={0} max={130} inputMode="numeric" value={filters.minAge} onChange={(e) => set('minAge', e.target.value)} aria-label={t('review.minAge')} />
            –
            <input type="number" min={0} max={130} inputMode="numeric" value={filters.maxAge} onChange={(e) => set('maxAge', e.target.value)} aria-label={t('review.maxAge')} />
          </span>
        </label>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {rows === null ? (
        <p className="muted">{t('common.loading')}</p>
      ) : rows.length === 0 ? (
        <p className="muted">{t('review.empty')}</p>
      ) : (
        <ul className="list" data-testid="review-list">
          {rows.map((r) => (
            <li key={r.id} className={r.canAct ? 'attention' : ''} data-testid="review-row">
              <Link to={`/review/${r.id}`} className="row-link">
                <span className="title">
                  {r.member.name}
                  <small>
                    {' '}
                    · {r.member.age !== null ? t('members.age', { count: r.member.age }) : ''} · {r.village.name}
                  </small>
                </span>
                <span className="meta">
                  {r.typeTitle} · {t(`filing.status.${r.status}`)} · {r.stageTitle} · {t('review.submittedOn', { date: date(r.submittedAt.slice(0, 10)) })}
                  {r.version > 1 ? ` · ${t('filing.versionN', { version: r.version })}` : ''}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
