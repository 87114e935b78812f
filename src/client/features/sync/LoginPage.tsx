import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { db } from '../../db/schema.ts';
import { num } from '../../i18n/index.ts';
import { useRouter } from '../../router.tsx';
import { api, ApiError, OfflineError } from '../../sync/api.ts';
import { syncNow } from '../../sync/engine.ts';
import { deviceId } from '../../sync/session.ts';
import { Field } from '../common/Field.tsx';
import { SubmitForm } from '../common/SubmitForm.tsx';

/** Sign in with a county account, then download the roster of the user's villages. */
export function LoginPage() {
  const { t } = useTranslation();
  const { navigate } = useRouter();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<{ received: number; remaining: number } | null>(null);

  const submit = async () => {
    setError(null);
    if (!username.trim() || !password) {
      setError(t('login.missing'));
      return;
    }
    setBusy(true);
    try {
      const d = db();
      const device = await deviceId(d);
      const r = await api.login(username.trim(), password, device, navigator.userAgent.slice(0, 80));
      // The demo county or another user's roster never mixes with a real account's data.
      await d.transaction('rw', [d.villages, d.households, d.members, d.statuses, d.enrolments, d.visits, d.ledger, d.outbox, d.meta], async () => {
        const mode = await d.meta.get('mode');
        const prev = await d.meta.get('session');
        const sameUser = (prev?.value as { username?: string } | undefined)?.username === r.user.username;
        if (mode || !sameUser) {
          await Promise.all([d.villages.clear(), d.households.clear(), d.members.clear(), d.statuses.clear(), d.enrolments.clear(), d.visits.clear(), d.ledger.clear()]);
          if (mode) await d.outbox.clear();
          await d.meta.delete('mode');
          await d.meta.put({ key: 'sync', value: { checkpoint: 0, lastSuccess: null, lastAttempt: null, lastError: null, downloaded: false } });
        }
        await d.meta.put({ key: 'session', value: { token: r.token, expiresAt: r.expiresAt, username: r.user.username, role: r.user.role, areas: r.user.areas } });
      });
      setProgress({ received: 0, remaining: 0 });
      const out = await syncNow((received, remaining) => setProgress({ received, remaining }));
      if (out?.error) throw new OfflineError(out.error);
      navigate('/villages', { replace: true });
    } catch (e) {
      setProgress(null);
      if (e instanceof ApiError) setError(e.code === 'unauthorized' ? t('login.wrong') : e.code === 'device-revoked' ? t('login.revoked') : e.message);
      else setError(t('login.offline'));
    } finally {
      setBusy(false);
    }
  };

  const pct = progress && progress.received + progress.remaining > 0 ? Math.round((progress.received / (progress.received + progress.remaining)) * 100) : 0;
  return (
    <section className="page narrow">
      <h1>{t('login.title')}</h1>
      <p className="muted">{t('login.help')}</p>
      {progress ? (
        <div className="card" data-testid="download-progress">
          <h2>{t('login.downloading')}</h2>
          <div className="progress" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
            <div style={{ width: `${pct}%` }} />
            <span>{t('login.downloaded', { n: num(progress.received), total: num(progress.received + progress.remaining) })}</span>
          </div>
        </div>
      ) : (
        <SubmitForm onSubmit={() => void submit()}>
          <Field id="username" label={t('login.username')}>
            <input id="username" autoComplete="username" autoCapitalize="none" value={username} onChange={(e) => setUsername(e.target.value)} />
          </Field>
          <Field id="password" label={t('login.password')} error={error}>
            <input id="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          </Field>
          <div className="form-actions">
            <button type="submit" className="primary" disabled={busy} data-testid="login">
              {t('login.submit')}
            </button>
          </div>
        </SubmitForm>
      )}
    </section>
  );
}
