/**
 * What every administration screen shares: the tabs (用户, 设备, 操作记录), the session's check
 * (an administrator or a county user, signed in), and loading from the county online, which says
 * plainly when there is no connection and tries again once there is.
 */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { mayAdminister } from '../../../model/admin.ts';
import { currentLang } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { ApiError, OfflineError } from '../../sync/api.ts';
import type { Session } from '../../sync/session.ts';
import { useSession } from '../sync/useSession.ts';

export type Tab = 'users' | 'devices' | 'audit';
const TABS: [Tab, string][] = [
  ['users', '/admin'],
  ['devices', '/admin/devices'],
  ['audit', '/admin/audit'],
];

/** A time as the user reads it: date and minutes, in the app's language and the tablet's zone. */
export function when(iso: string): string {
  return new Intl.DateTimeFormat(currentLang(), { year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

/** A refusal or failure in the user's words (the county's refusals arrive already in them). */
export function problemOf(e: unknown, t: (k: string) => string): string {
  if (e instanceof OfflineError) return t('admin.offline');
  if (e instanceof ApiError) return e.message;
  return String(e);
}

/** The page frame: tabs, title (null: the screen writes its own), and the children only for a signed-in administrator or county user. */
export function AdminPage({ tab, title, children, actions }: { tab: Tab; title: string | null; children: (session: Session) => ReactNode; actions?: ReactNode }) {
  const { t } = useTranslation();
  const session = useSession();
  return (
    <section className="page admin-page" data-testid={`admin-${tab}`}>
      <nav className="admin-tabs" aria-label={t('admin.tabs.label')}>
        {TABS.map(([k, to]) => (
          <Link key={k} to={to} className={k === tab ? 'selected' : ''} data-testid={`admin-tab-${k}`} aria-current={k === tab ? 'page' : undefined}>
            {t(`admin.tabs.${k}`)}
          </Link>
        ))}
      </nav>
      {title !== null && (
        <div className="page-head">
          <h1>{title}</h1>
          {session && mayAdminister(session.role) ? actions : null}
        </div>
      )}
      {session === null ? (
        <p>
          <Link to="/login">{t('admin.signIn')}</Link>
        </p>
      ) : !mayAdminister(session.role) ? (
        <p className="notice">{t('admin.notAllowed')}</p>
      ) : (
        children(session)
      )}
    </section>
  );
}

/**
 * Loads from the county with the session's token: the data, or what stands in the way (offline
 * said plainly, with a button to try again, and again by itself when the connection returns).
 */
export function useCounty<T>(session: Session, load: (token: string) => Promise<T>, deps: readonly unknown[]): { data: T | null; error: string | null; offline: boolean; reload: () => void; set: (x: T) => void } {
  const { t } = useTranslation();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [offline, setOffline] = useState(false);
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  useEffect(() => {
    let live = true;
    setError(null);
    load(session.token)
      .then((x) => {
        if (!live) return;
        setData(x);
        setOffline(false);
      })
      .catch((e) => {
        if (!live) return;
        setOffline(e instanceof OfflineError);
        setError(problemOf(e, t));
      });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [session.token, round, t, ...deps]);
  useEffect(() => {
    if (!offline) return;
    window.addEventListener('online', reload);
    return () => window.removeEventListener('online', reload);
  }, [offline, reload]);
  return { data, error, offline, reload, set: setData };
}

/** Offline or refused: said plainly, with 重试. */
export function LoadProblem({ error, offline, reload }: { error: string | null; offline: boolean; reload: () => void }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <div className="banner warn" role="alert" data-testid={offline ? 'admin-offline' : 'admin-error'}>
      <span>{error}</span>
      <button type="button" onClick={reload}>
        {t('admin.retry')}
      </button>
    </div>
  );
}

/** Whether the session may give an area: the administrator any, a county user those within its own. */
export const givableFor = (s: Session) => (code: string) => s.role === 'admin' || s.areas.some((a) => code.startsWith(a));

/** The field a refusal names (`areas.0` → `areas`), for the message to stand under it. */
export const fieldOf = (e: unknown): string | null => (e instanceof ApiError && e.detail?.path ? (e.detail.path.split('.')[0] ?? null) : null);
