import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { db } from '../db/schema.ts';
import { ConfirmDialog } from '../features/common/ConfirmDialog.tsx';
import { useRouter } from '../router.tsx';
import { syncNow } from '../sync/engine.ts';
import { useProfileName } from './Gate.tsx';
import { removeProfile } from './registry.ts';
import { lockNow, switchUser, toBlank, useGate } from './store.ts';

/** In the header: who is signed in, lock now, switch user; in the demo, the way to a county account. */
export function AccountBar() {
  const { t } = useTranslation();
  const g = useGate();
  const name = useProfileName();
  const p = g.profile;
  if (g.phase !== 'open' || !p) return null;
  return (
    <div className="account-bar" data-testid="account-bar">
      <span className="account-who" data-testid="account-who">
        {name(p)}
      </span>
      {p.kind === 'account' && p.keys.pin && (
        <button type="button" onClick={lockNow} data-testid="lock-now">
          {t('profile.lock')}
        </button>
      )}
      <button type="button" onClick={() => void switchUser()} data-testid="switch-user">
        {t('profile.switch')}
      </button>
    </div>
  );
}

/** Under the header in the demo: that nothing is sent, and the way to a county account. */
export function DemoBar() {
  const { t } = useTranslation();
  const g = useGate();
  const { navigate } = useRouter();
  if (g.phase !== 'open' || g.profile?.kind !== 'demo') return null;
  return (
    <div className="syncbar demo-bar" data-testid="demo-bar">
      <span>{t('profile.demoBar')}</span>
      <button
        type="button"
        className="primary"
        onClick={() => {
          navigate('/login');
          toBlank('/login');
        }}
        data-testid="demo-login"
      >
        {t('profile.demoLogin')}
      </button>
    </div>
  );
}

interface Losses {
  outbox: number;
  filings: number;
  drafts: number;
  offline: boolean;
}

/** What signing out would lose: changes not sent, filings not submitted or not sent, forms being filled in. */
async function losses(offline: boolean): Promise<Losses> {
  const d = db();
  const outbox = (await d.outbox.toArray()).filter((o) => o.entity !== 'filing').length;
  const filings = (await d.filings.toArray()).filter((f) => f.rev === 0 || f.local?.queued || f.local?.draft).length;
  const drafts = await d.drafts.count();
  return { outbox, filings, drafts, offline };
}

/**
 * Settings: the account, and signing out, which first sends what waits, then deletes the profile
 * from the tablet after a confirmation that lists anything that would be lost.
 */
export function AccountCard() {
  const { t } = useTranslation();
  const g = useGate();
  const name = useProfileName();
  const { navigate } = useRouter();
  const [asking, setAsking] = useState<Losses | null>(null);
  const [busy, setBusy] = useState(false);
  const p = g.profile;
  if (g.phase !== 'open' || !p) return null;

  const start = async () => {
    setBusy(true);
    try {
      const session = await db().meta.get('session');
      const out = session ? await syncNow() : null;
      setAsking(await losses(out?.error === 'offline'));
    } finally {
      setBusy(false);
    }
  };
  const lost = asking ? asking.outbox + asking.filings + asking.drafts : 0;

  return (
    <div className="card" data-testid="account-card">
      <h2>{t('profile.account')}</h2>
      <p>
        {t('profile.who')}: <strong>{name(p)}</strong>
      </p>
      <div className="form-actions">
        {p.kind === 'account' && p.keys.pin && (
          <button type="button" onClick={lockNow}>
            {t('profile.lock')}
          </button>
        )}
        <button type="button" onClick={() => void switchUser()}>
          {t('profile.switch')}
        </button>
        {p.kind === 'demo' && (
          <button
            type="button"
            onClick={() => {
              navigate('/login');
              toBlank('/login');
            }}
          >
            {t('profile.demoLogin')}
          </button>
        )}
        <button type="button" className="danger" disabled={busy} onClick={() => void start()} data-testid="sign-out">
          {busy ? t('profile.signingOut') : t('profile.signOut')}
        </button>
      </div>
      <ConfirmDialog
        open={asking !== null}
        title={t('profile.signOutTitle')}
        confirmLabel={lost > 0 ? t('profile.signOutLossConfirm') : t('profile.signOutConfirm')}
        danger
        message={<span data-testid="sign-out-dialog">{t('profile.signOutSafe', { who: name(p) })}</span>}
        onCancel={() => setAsking(null)}
        onConfirm={() => {
          setAsking(null);
          void removeProfile(p.id).then(() => {
            navigate('/welcome', { replace: true });
            void switchUser();
          });
        }}
      >
        {asking && lost > 0 && (
          <div data-testid="sign-out-losses">
            {asking.offline && <p className="error">{t('profile.signOutOffline')}</p>}
            <p className="error">{t('profile.signOutLoss')}</p>
            <ul>
              {asking.outbox > 0 && <li>{t('profile.lossOutbox', { count: asking.outbox })}</li>}
              {asking.filings > 0 && <li>{t('profile.lossFilings', { count: asking.filings })}</li>}
              {asking.drafts > 0 && <li>{t('profile.lossDrafts', { count: asking.drafts })}</li>}
            </ul>
          </div>
        )}
      </ConfirmDialog>
    </div>
  );
}
