import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { db } from '../../db/schema.ts';
import { useBusy } from '../../pwa/busy.ts';
import { Link } from '../../router.tsx';
import { getSetAside, syncNow } from '../../sync/engine.ts';
import { getSession, getSyncState } from '../../sync/session.ts';

function ago(t: (k: string, o?: Record<string, unknown>) => string, iso: string | null, now: number): string {
  if (!iso) return t('sync.never');
  const min = Math.floor((now - Date.parse(iso)) / 60_000);
  if (min < 1) return t('sync.justNow');
  if (min < 60) return t('sync.minutesAgo', { count: min });
  return t('sync.hoursAgo', { count: Math.floor(min / 60) });
}

/** Always visible when signed in: what waits to be sent, since when, the last success and the last error. */
export function SyncStatus() {
  const { t } = useTranslation();
  const busy = useBusy();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const i = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(i);
  }, []);
  const s = useLiveQuery(async () => {
    const session = await getSession();
    if (!session) return null;
    const rows = await db().outbox.orderBy('seq').toArray();
    const waiting = rows.filter((r) => r.state === undefined);
    const aside = (await getSetAside()).items.length;
    return { session, state: await getSyncState(), pending: waiting.length, oldest: waiting[0]?.createdAt ?? null, issues: rows.length - waiting.length + aside };
  }, []);
  if (!s) return null;
  return (
    <div className="syncbar" data-testid="sync-status">
      <span data-testid="sync-pending">{s.pending === 0 ? t('sync.allSent') : t('sync.pending', { count: s.pending, age: ago(t, s.oldest, now) })}</span>
      <span>{t('sync.lastSuccess', { when: ago(t, s.state.lastSuccess, now) })}</span>
      {s.state.lastError && <span className="sync-error">{t(`sync.error.${s.state.lastError}`, { defaultValue: s.state.lastError })}</span>}
      {s.issues > 0 && (
        <Link to="/sync" className="sync-issues">
          {t('sync.issues', { count: s.issues })}
        </Link>
      )}
      <button type="button" disabled={busy.syncing} onClick={() => void syncNow()} data-testid="sync-now">
        {busy.syncing ? t('sync.running') : t('sync.now')}
      </button>
    </div>
  );
}
