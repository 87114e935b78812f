import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, OfflineError } from '../../sync/api.ts';
import { date, localDate } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { useSession } from '../sync/useSession.ts';
import { reviewApi, type ReviewSummary } from './api.ts';
import { builtinPack } from '../../../rules/index.ts';
import { filingType } from '../../../model/filing.ts';
import { packText, stageName } from '../filings/labels.ts';

const STATUSES = ['submitted', 'received', 'in-review', 'returned', 'approved', 'paid', 'rejected'];

/** One filter: a choice among the values seen, or all. */
function FilterSelect({ label, value, onChange, options }: { label: string; value: string; onChange: (v: string) => void; options: [string, string][] }) {
  const { t } = useTranslation();
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('review.any')}</option>
        {options.map(([k, v]) => (
          <option key={k} value={k}>
            {v}
          </option>
        ))}
      </select>
    </label>
  );
}

const typeOf = (r: ReviewSummary) => {
  const pack = builtinPack(r.packId);
  return pack ? filingType(pack, r.type) : undefined;
};
/** The type's title in the app's language (the server gives the pack's Chinese). */
const typeName = (r: ReviewSummary) => {
  const ty = typeOf(r);
  return ty ? packText(ty.title) : r.typeTitle;
};
const stageLabel = (r: ReviewSummary) => {
  const ty = typeOf(r);
  return (ty && stageName(ty, r.stage)) || r.stageTitle;
};

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
      <p>
        <Link to="/exports" data-testid="review-exports">
          {t('settings.exports')}
        </Link>
      </p>
      <div className="filters">
        <label className="check">
          <input type="checkbox" checked={filters.actionable === '1'} onChange={(e) => set('actionable', e.target.checked ? '1' : '')} data-testid="filter-actionable" />
          {t('review.actionable')}
        </label>
        <FilterSelect label={t('review.status')} value={filters.status} onChange={(v) => set('status', v)} options={STATUSES.map((x) => [x, t(`filing.status.${x}`)])} />
        <FilterSelect label={t('review.type')} value={filters.type} onChange={(v) => set('type', v)} options={options((r) => [r.type, typeName(r)])} />
        <FilterSelect label={t('review.stage')} value={filters.stage} onChange={(v) => set('stage', v)} options={options((r) => [r.stage ?? '', stageLabel(r)])} />
        <FilterSelect label={t('review.village')} value={filters.village} onChange={(v) => set('village', v)} options={options((r) => [r.village.id, r.village.name])} />
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
                  {typeName(r)} · {t(`filing.status.${r.status}`)} · {stageLabel(r)} · {t('review.submittedOn', { date: date(localDate(new Date(r.submittedAt))) })}
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
