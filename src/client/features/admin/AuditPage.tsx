/**
 * 操作记录: every change to accounts and devices, the newest first — who (or the server's command
 * line) did what to whom, when, and what changed, with area codes by name.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditEntry } from '../../../model/admin.ts';
import type { Session } from '../../sync/session.ts';
import { AdminPage, LoadProblem, useCounty, when } from './AdminPage.tsx';
import { areaNames } from './AreaPicker.tsx';
import { adminApi } from './api.ts';

const PAGE = 100;

export function AuditPage() {
  const { t } = useTranslation();
  return (
    <AdminPage tab="audit" title={t('admin.tabs.audit')}>
      {(session) => <Audit session={session} />}
    </AdminPage>
  );
}

function Audit({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [limit, setLimit] = useState(PAGE);
  const { data, error, offline, reload } = useCounty(session, (token) => adminApi.audit(token, limit), [limit]);
  const tree = useCounty(session, adminApi.areaTree, []);
  const names = areaNames(tree.data);
  const areas = (x: unknown) => (Array.isArray(x) && x.length ? x.map((c) => names.get(String(c)) ?? String(c)).join(t('admin.comma')) : t('admin.audit.nothing'));
  const role = (r: unknown) => (typeof r === 'string' ? t(`profile.role.${r}`, { defaultValue: r }) : '');

  /** What changed, in words. */
  const details = (e: AuditEntry): string => {
    const d = e.details;
    switch (e.action) {
      case 'create-user':
        return [t('admin.audit.role', { role: role(d.role) }), t('admin.audit.areas', { areas: areas(d.areas) }), d.phone ? t('admin.audit.phoneSet') : ''].filter(Boolean).join(t('admin.semicolon'));
      case 'set-areas':
        return t('admin.audit.fromTo', { from: areas(d.from), to: areas(d.to) });
      case 'set-role':
        return t('admin.audit.fromTo', { from: role(d.from), to: role(d.to) });
      case 'set-phone':
        return d.phone === 'cleared' ? t('admin.audit.phoneCleared') : t('admin.audit.phoneSet');
      case 'revoke-device':
        return typeof d.registeredBy === 'string' ? t('admin.audit.registeredBy', { name: d.registeredBy }) : '';
      default:
        return '';
    }
  };

  return (
    <>
      <LoadProblem error={error} offline={offline} reload={reload} />
      {data === null ? (
        !error && <p className="muted">{t('common.loading')}</p>
      ) : data.length === 0 ? (
        <p className="muted">{t('admin.audit.empty')}</p>
      ) : (
        <>
          <ul className="list admin-audit" data-testid="audit-list">
            {data.map((e) => (
              <li key={e.id} data-testid="audit-row" data-action={e.action} data-target={e.target}>
                <div className="entry">
                  <div className="title">
                    {t(`admin.audit.action.${e.action}`)} <span className="mono target">{e.target}</span>
                  </div>
                  {details(e) && <div className="what">{details(e)}</div>}
                  <div className="meta">
                    {when(e.at)} · {e.actor.role === 'cli' ? t('admin.audit.cli') : t('admin.audit.by', { who: e.actor.username, role: role(e.actor.role) })}
                  </div>
                </div>
              </li>
            ))}
          </ul>
          {data.length >= limit && limit < 1_000 && (
            <button type="button" className="more" onClick={() => setLimit((n) => n + PAGE)} data-testid="audit-more">
              {t('admin.audit.more')}
            </button>
          )}
        </>
      )}
    </>
  );
}
