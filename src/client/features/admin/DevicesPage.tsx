/**
 * 设备: the tablets that signed in, the last online first, with who signed in on each; revoking one
 * (asked first: everyone on it is signed out and it is wiped at its next contact) cannot be undone.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminDevice } from '../../../model/admin.ts';
import { deviceId } from '../../profiles/registry.ts';
import type { Session } from '../../sync/session.ts';
import { ConfirmDialog } from '../common/ConfirmDialog.tsx';
import { AdminPage, LoadProblem, problemOf, useCounty, when } from './AdminPage.tsx';
import { adminApi } from './api.ts';

/** The end of a device id: enough to tell tablets apart when read aloud. */
const shortId = (id: string) => id.slice(-6);

export function DevicesPage() {
  const { t } = useTranslation();
  return (
    <AdminPage tab="devices" title={t('admin.tabs.devices')}>
      {(session) => <Devices session={session} />}
    </AdminPage>
  );
}

function Devices({ session }: { session: Session }) {
  const { t } = useTranslation();
  const { data, error, offline, reload, set } = useCounty(session, adminApi.devices, []);
  const [mine, setMine] = useState<string | null>(null);
  const [ask, setAsk] = useState<AdminDevice | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => void deviceId().then(setMine, () => undefined), []);

  const revoke = async (d: AdminDevice) => {
    setBusy(true);
    setProblem(null);
    try {
      const r = await adminApi.revoke(session.token, d.id);
      set((data ?? []).map((x) => (x.id === r.id ? r : x)));
      setDone(r.id);
      setAsk(null);
    } catch (e) {
      setProblem(problemOf(e, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <LoadProblem error={error} offline={offline} reload={reload} />
      {data === null ? (
        !error && <p className="muted">{t('common.loading')}</p>
      ) : data.length === 0 ? (
        <p className="muted">{t('admin.devices.empty')}</p>
      ) : (
        <>
          <p className="muted">{t('admin.devices.count', { count: data.length })}</p>
          <ul className="list admin-devices" data-testid="device-list">
            {data.map((d) => (
              <li key={d.id} className={d.revokedAt ? 'inactive' : ''} data-testid="device-row" data-device={d.id}>
                <div className="device">
                  <div className="title">
                    {t('admin.devices.id', { id: shortId(d.id) })}
                    {d.revokedAt ? <span className="badge muted-badge">{t('admin.devices.revoked', { when: when(d.revokedAt) })}</span> : <span className="badge">{t('admin.devices.active')}</span>}
                  </div>
                  <div className="meta">
                    <span className="mono">{d.id}</span>
                    {d.name && d.name !== 'tablet' ? ` · ${d.name}` : ''}
                  </div>
                  <div className="meta">
                    {t('admin.devices.lastSeen', { when: when(d.lastSeenAt) })} · {t('admin.devices.registeredAt', { when: when(d.registeredAt) })} · {t('admin.devices.registeredBy', { name: d.registeredBy.displayName })}
                  </div>
                  <div className="meta">
                    {t('admin.devices.users', { list: d.users.map((u) => t('admin.devices.userLine', { name: t('admin.who', { name: u.displayName, username: u.username }), when: when(u.lastAt) })).join(t('admin.semicolon')) })}
                  </div>
                  {done === d.id && (
                    <p className="notice" role="status" data-testid="device-revoked">
                      {t('admin.devices.done')}
                    </p>
                  )}
                </div>
                {!d.revokedAt && (
                  <button type="button" className="danger" onClick={() => setAsk(d)} data-testid="device-revoke">
                    {t('admin.devices.revoke')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      <ConfirmDialog
        open={ask !== null}
        danger
        busy={busy}
        title={t('admin.devices.revokeTitle', { id: ask ? shortId(ask.id) : '' })}
        message={
          <>
            <p>{t('admin.devices.revokeText')}</p>
            {ask && <p className="muted">{ask.users.map((u) => u.displayName).join(t('admin.comma'))}</p>}
            {ask && ask.id === mine && <p className="error">{t('admin.devices.revokeThis')}</p>}
          </>
        }
        confirmLabel={t('admin.devices.revokeYes')}
        error={problem}
        onCancel={() => {
          setAsk(null);
          setProblem(null);
        }}
        onConfirm={() => ask && void revoke(ask)}
      />
    </>
  );
}
