/** 用户: the accounts within the caller's reach, found by name, username or village; one tap opens one. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminArea, AdminUser } from '../../../model/admin.ts';
import { Link } from '../../router.tsx';
import type { Session } from '../../sync/session.ts';
import { AdminPage, LoadProblem, useCounty, when } from './AdminPage.tsx';
import { adminApi } from './api.ts';

/** An area as the lists write it: a village with its township, a township, a county; the code when no record names it. */
export const areaLabel = (a: AdminArea) => (a.name ? (a.townshipName ? `${a.townshipName} ${a.name}` : a.name) : a.code);

export function UsersPage() {
  const { t } = useTranslation();
  return (
    <AdminPage
      tab="users"
      title={t('admin.tabs.users')}
      actions={
        <Link to="/admin/users/new" className="button primary" data-testid="admin-new-user">
          {t('admin.users.new')}
        </Link>
      }
    >
      {(session) => <Users session={session} />}
    </AdminPage>
  );
}

function Users({ session }: { session: Session }) {
  const { t } = useTranslation();
  const { data, error, offline, reload } = useCounty(session, adminApi.users, []);
  const [q, setQ] = useState('');
  const needle = q.trim().toLowerCase();
  const shown = (data ?? []).filter((u: AdminUser) => !needle || u.username.includes(needle) || u.displayName.toLowerCase().includes(needle) || u.areas.some((a) => areaLabel(a).toLowerCase().includes(needle)));
  return (
    <>
      <LoadProblem error={error} offline={offline} reload={reload} />
      {data === null ? (
        !error && <p className="muted">{t('common.loading')}</p>
      ) : (
        <>
          <div className="field admin-filter">
            <label htmlFor="admin-filter">{t('admin.users.filter')}</label>
            <input id="admin-filter" type="search" value={q} placeholder={t('admin.users.filterHint')} onChange={(e) => setQ(e.target.value)} data-testid="admin-filter" />
          </div>
          <p className="muted">{t('admin.users.count', { count: data.length })}</p>
          {shown.length === 0 ? (
            <p className="muted">{data.length === 0 ? t('admin.users.empty') : t('admin.users.noMatch')}</p>
          ) : (
            <ul className="list" data-testid="admin-user-list">
              {shown.map((u) => (
                <li key={u.username} className={u.disabled ? 'inactive' : ''} data-testid="admin-user-row" data-username={u.username}>
                  <Link to={`/admin/users/${encodeURIComponent(u.username)}`} className="row-link">
                    <span className="title">
                      {u.displayName} <small className="mono">{u.username}</small>
                      {u.disabled && <span className="badge muted-badge">{t('admin.users.disabled')}</span>}
                    </span>
                    <span className="meta">
                      {t(`profile.role.${u.role}`)} · {u.role === 'admin' ? t('admin.users.everywhere') : u.areas.length ? u.areas.map(areaLabel).join(t('admin.comma')) : t('admin.users.noAreas')}
                    </span>
                    <span className="meta">{u.lastSignInAt ? t('admin.users.lastSignIn', { when: when(u.lastSignInAt) }) : t('admin.users.never')}</span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}
