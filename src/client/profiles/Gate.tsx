import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LoginPage } from '../features/sync/LoginPage.tsx';
import { useRouter } from '../router.tsx';
import { PinPad } from './PinPad.tsx';
import { listProfiles, type ProfileRow } from './registry.ts';
import { boot, choose, lockNow, toBlank, unlock, useGate } from './store.ts';
import './profiles.css';

/** Idle this long and the screen locks (issue: 5 minutes). */
export const IDLE_MS = 5 * 60_000;
/**
 * Away in the background this long and the screen locks on return. Not zero: taking a document's
 * photo opens the camera app, which sends the page to the background for a few seconds.
 */
export const BACKGROUND_MS = 30_000;

/** Who a profile is, in words. */
export function useProfileName(): (p: ProfileRow) => string {
  const { t } = useTranslation();
  return (p) => (p.kind === 'demo' ? t('profile.demo') : p.username ? `${p.username}${p.role ? ` · ${t(`profile.role.${p.role}`)}` : ''}` : t('profile.legacy'));
}

/** Locks after IDLE_MS without a touch or a key, and on return after BACKGROUND_MS away. */
function IdleLock() {
  useEffect(() => {
    let last = Date.now();
    let hiddenAt: number | null = null;
    const touch = () => (last = Date.now());
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') hiddenAt = Date.now();
      else if (hiddenAt !== null) {
        if (Date.now() - hiddenAt >= BACKGROUND_MS) lockNow();
        hiddenAt = null;
        last = Date.now();
      }
    };
    const timer = window.setInterval(() => {
      if (Date.now() - last >= IDLE_MS) {
        lockNow();
        last = Date.now();
      }
    }, 10_000);
    const events = ['pointerdown', 'keydown', 'touchstart', 'wheel'] as const;
    for (const e of events) window.addEventListener(e, touch, { passive: true });
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.clearInterval(timer);
      for (const e of events) window.removeEventListener(e, touch);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, []);
  return null;
}

/** The PIN for the chosen profile, or after five wrong ones its password. */
function Unlock({ profile, cover }: { profile: ProfileRow; cover: boolean }) {
  const { t } = useTranslation();
  const name = useProfileName();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [password, setPassword] = useState(profile.needsPassword);
  useEffect(() => setPassword(profile.needsPassword), [profile.needsPassword]);
  if (password || !profile.keys.pin) {
    return (
      <div className="lock-body">
        {profile.needsPassword && (
          <p className="error" role="alert" data-testid="pin-too-many">
            {t('pin.tooMany')}
          </p>
        )}
        <LoginPage fixed={profile} />
        <SwitchLinks />
      </div>
    );
  }
  return (
    <div className="lock-body">
      <h1>{t('pin.title')}</h1>
      <p className="lock-who" data-testid="lock-who">
        {name(profile)}
      </p>
      {error && (
        <p className="error" role="alert" data-testid="pin-error">
          {error}
        </p>
      )}
      <PinPad
        label={t('pin.digits')}
        busy={busy}
        testId="pin-unlock"
        onDone={(pin) => {
          setBusy(true);
          setError(t('pin.checking'));
          void unlock(pin)
            .then((r) => setError(r.ok ? null : r.left > 0 ? t('pin.wrong', { left: r.left }) : t('pin.tooMany')))
            .finally(() => setBusy(false));
        }}
      />
      <p className="lock-links">
        <button type="button" className="link" onClick={() => setPassword(true)} data-testid="use-password">
          {t('pin.usePassword')}
        </button>
      </p>
      {!cover && <SwitchLinks />}
    </div>
  );
}

function SwitchLinks() {
  const { t } = useTranslation();
  return (
    <p className="lock-links">
      <button type="button" className="link" onClick={() => void choose(null)} data-testid="lock-switch">
        {t('profile.switch')}
      </button>
    </p>
  );
}

/** Who uses the tablet: every profile on it, another account, the demo. */
function Picker() {
  const { t } = useTranslation();
  const name = useProfileName();
  const { navigate } = useRouter();
  const [profiles, setProfiles] = useState<ProfileRow[] | null>(null);
  useEffect(() => void listProfiles().then(setProfiles), []);
  const hasDemo = profiles?.some((p) => p.kind === 'demo') ?? false;
  return (
    <div className="lock-body" data-testid="profile-picker">
      <h1>{t('profile.pickTitle')}</h1>
      <p className="muted">{t('profile.pickHelp')}</p>
      <ul className="profile-list">
        {profiles
          ?.filter((p) => p.kind === 'account')
          .map((p) => (
            <li key={p.id}>
              <button type="button" className="big" onClick={() => void choose(p.id)} data-testid={`profile-${p.username ?? 'legacy'}`}>
                {name(p)}
              </button>
            </li>
          ))}
      </ul>
      <p className="lock-links">
        <button
          type="button"
          className="primary"
          onClick={() => {
            navigate('/login', { replace: true });
            toBlank('/login');
          }}
          data-testid="picker-login"
        >
          {t('profile.otherAccount')}
        </button>{' '}
        {hasDemo ? (
          <button type="button" onClick={() => void choose(profiles!.find((p) => p.kind === 'demo')!.id).then(() => navigate('/villages', { replace: true }))} data-testid="picker-demo">
            {t('profile.openDemo')}
          </button>
        ) : (
          <button
            type="button"
            onClick={() => {
              navigate('/welcome', { replace: true });
              toBlank('/welcome');
            }}
            data-testid="picker-demo"
          >
            {t('profile.openDemo')}
          </button>
        )}
      </p>
    </div>
  );
}

/**
 * What the app shows before its pages: nothing while booting, the picker or the PIN while locked,
 * and on an open profile the app itself, remounted on each change of store, with the PIN laid
 * over it (not replacing it: a half-filled form survives the lock) when idle or back from away.
 */
export function Gate({ children }: { children: React.ReactNode }) {
  const g = useGate();
  const { navigate } = useRouter();
  useEffect(() => void boot(), []);
  // The blank app opens where it was sent (a wipe sends it to the sign-in page, which says why).
  useEffect(() => {
    if (g.phase === 'blank' && g.start) navigate(g.start, { replace: true });
  }, [g.phase, g.epoch, g.start, navigate]);
  if (g.phase === 'booting') return null;
  if (g.phase === 'locked') {
    return <div className="lock-screen">{g.profile ? <Unlock profile={g.profile} cover={false} /> : <Picker />}</div>;
  }
  return (
    <>
      <div key={g.epoch} className="gate" inert={g.overlay || undefined} aria-hidden={g.overlay || undefined}>
        {children}
      </div>
      {g.phase === 'open' && g.profile?.kind === 'account' && <IdleLock />}
      {g.overlay && g.profile && (
        <div className="lock-screen overlay" data-testid="lock-overlay">
          <Unlock profile={g.profile} cover />
        </div>
      )}
    </>
  );
}
