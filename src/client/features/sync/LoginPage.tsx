import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CunyiDb } from '../../db/schema.ts';
import { db } from '../../db/schema.ts';
import { num } from '../../i18n/index.ts';
import { newDataKey, unwrapWithServer } from '../../profiles/keys.ts';
import { PinSetup } from '../../profiles/PinPad.tsx';
import { newAccountProfile, openStore, profileOf, registry, saveRecoveryWrap, setPin, takeWipeNotice, type ProfileRow, type WipeNotice } from '../../profiles/registry.ts';
import { currentProfile, enter, unveil, wipe } from '../../profiles/store.ts';
import { useRouter } from '../../router.tsx';
import { api, ApiError, type LoginResult } from '../../sync/api.ts';
import { syncNow } from '../../sync/engine.ts';
import { deviceId, isReviewer } from '../../sync/session.ts';
import { Field } from '../common/Field.tsx';
import { SubmitForm } from '../common/SubmitForm.tsx';

interface Pending {
  profile: ProfileRow;
  key: Uint8Array;
  login: LoginResult;
  recovery: string | null;
}

async function writeSession(d: CunyiDb, r: LoginResult): Promise<void> {
  await d.meta.put({ key: 'session', value: { token: r.token, expiresAt: r.expiresAt, username: r.user.username, role: r.user.role, areas: r.user.areas } });
}

/**
 * Sign in with a county account. Each account has a profile of its own on the tablet (its own
 * encrypted store): a first sign-in makes one and asks for a PIN, then downloads the roster of the
 * user's villages; signing in again (an ended session, five wrong PINs, a forgotten PIN) opens the
 * same profile with the county's recovery key. Nothing of another profile, or of the demo, is
 * touched. `fixed` is the profile whose password is asked (from the lock screen).
 */
export function LoginPage({ fixed = null }: { fixed?: ProfileRow | null }) {
  const { t } = useTranslation();
  const { navigate } = useRouter();
  const [username, setUsername] = useState(fixed?.username ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<WipeNotice | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [progress, setProgress] = useState<{ received: number; remaining: number } | null>(null);

  useEffect(() => void takeWipeNotice().then(setNotice), []);

  const refused = (e: ApiError): string => {
    const minutes = Math.max(1, Math.ceil((e.detail?.retryAfter ?? 60) / 60));
    if (e.code === 'unauthorized') return t('login.wrong');
    if (e.code === 'device-revoked') return t('login.revoked');
    if (e.code === 'user-disabled') return t('loginMore.disabled');
    if (e.code === 'locked') return t('loginMore.locked', { minutes });
    if (e.status === 429) return t('loginMore.tooMany', { minutes });
    return e.message;
  };

  /** The PIN set (when asked), the store opened, the session in it, the roster downloaded: the profile is shown. */
  const finish = async ({ profile, key, login, recovery }: Pending, pin: string | null) => {
    setBusy(true);
    try {
      let p = profile;
      if (pin) p = await setPin(p, key, pin, recovery);
      else if (recovery && !p.keys.server) await saveRecoveryWrap(p, key, recovery);
      const d = await openStore(p, key);
      await writeSession(d, login);
      setPending(null);
      setProgress({ received: 0, remaining: 0 });
      // Offline half-way: the profile is made; the roster comes with the next sync.
      await syncNow((received, remaining) => setProgress({ received, remaining }), d);
      await enter(p, key, d);
      // Reviewers land on their queue (their sync downloads no roster).
      navigate(isReviewer(login.user.role) ? '/review' : '/villages', { replace: true });
    } catch (e) {
      setProgress(null);
      setError(e instanceof ApiError ? refused(e) : t('login.offline'));
    } finally {
      setBusy(false);
    }
  };

  const submit = async () => {
    setError(null);
    if (!username.trim() || !password) {
      setError(t('login.missing'));
      return;
    }
    setBusy(true);
    try {
      const r = await api.login(username.trim(), password, await deviceId(), navigator.userAgent.slice(0, 80));
      setPassword('');
      const recovery = await api.deviceKey(r.token).then(
        (x) => x.key,
        () => null,
      );
      const existing = await profileOf(r.user.username);
      const open = currentProfile();
      if (existing && open?.id === existing.id) {
        // The same profile, its session ended: a new token, and on with the work.
        await writeSession(db(), r);
        await registry().profiles.update(existing.id, { pinFailures: 0 });
        unveil();
        void syncNow();
        navigate(isReviewer(r.user.role) ? '/review' : '/villages', { replace: true });
        return;
      }
      if (existing) {
        // A store from before encryption takes a new key as it is sealed; otherwise the county's recovery key opens it.
        const key = existing.unsealed && !existing.keys.pin ? newDataKey() : existing.keys.server && recovery ? await unwrapWithServer(existing.keys.server, recovery) : null;
        if (!key) {
          setError(t('loginMore.cannotRecover'));
          return;
        }
        const next = { profile: { ...existing, role: r.user.role }, key, login: r, recovery };
        if (existing.needsPassword || !existing.keys.pin) setPending(next);
        else await finish(next, null);
        return;
      }
      const { profile, key } = newAccountProfile(r.user.username, r.user.role);
      setPending({ profile, key, login: r, recovery });
    } catch (e) {
      if (e instanceof ApiError) {
        // The county ended this tablet or this account: what it holds of them goes (a stolen tablet).
        if (e.code === 'device-revoked') await wipe('device-revoked');
        else if (e.code === 'user-disabled') await wipe('user-disabled', username.trim());
        setError(refused(e));
      } else setError(t('login.offline'));
    } finally {
      setBusy(false);
    }
  };

  const pct = progress && progress.received + progress.remaining > 0 ? Math.round((progress.received / (progress.received + progress.remaining)) * 100) : 0;
  return (
    <section className="page narrow">
      <h1>{t('login.title')}</h1>
      {notice && (
        <p className="notice error" role="alert" data-testid="wipe-notice">
          {t(`profile.wiped.${notice.reason}`, { user: notice.username ?? '' })}
        </p>
      )}
      {!pending && !progress && <p className="muted">{t('login.help')}</p>}
      {progress ? (
        <div className="card" data-testid="download-progress">
          <h2>{t('login.downloading')}</h2>
          <div className="progress" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
            <div style={{ width: `${pct}%` }} />
            <span>{t('login.downloaded', { n: num(progress.received), total: num(progress.received + progress.remaining) })}</span>
          </div>
        </div>
      ) : pending ? (
        <div className="card">
          <PinSetup busy={busy} onChosen={(pin) => void finish(pending, pin)} />
        </div>
      ) : (
        <SubmitForm onSubmit={() => void submit()}>
          <Field id="username" label={t('login.username')}>
            <input id="username" autoComplete="username" autoCapitalize="none" value={username} readOnly={fixed !== null} onChange={(e) => setUsername(e.target.value)} />
          </Field>
          <Field id="password" label={t('login.password')} error={error}>
            <input id="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          </Field>
          <div className="form-actions">
            <button type="submit" className="primary" disabled={busy} data-testid="login">
              {fixed ? t('pin.passwordSubmit') : t('login.submit')}
            </button>
          </div>
        </SubmitForm>
      )}
      {pending && error && <p className="error">{error}</p>}
    </section>
  );
}
