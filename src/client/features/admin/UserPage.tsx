/**
 * One account: what the county holds of it, and each change on a card of its own: disable (asked
 * first: it signs them out everywhere) or enable, the role, the areas ticked on the county's
 * townships and villages, the phone, a new password (asked first). One's own account cannot be
 * disabled nor its role changed.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { AreasRequestSchema, PasswordRequestSchema, PhoneRequestSchema, requestProblem, type AdminUser } from '../../../model/admin.ts';
import type { Role } from '../../../model/sync.ts';
import { Link, useRouter } from '../../router.tsx';
import { refusalWords } from '../../sync/error-words.ts';
import type { Session } from '../../sync/session.ts';
import { ConfirmDialog } from '../common/ConfirmDialog.tsx';
import { Field } from '../common/Field.tsx';
import { SubmitForm } from '../common/SubmitForm.tsx';
import { AdminPage, givableFor, LoadProblem, problemOf, useCounty, when } from './AdminPage.tsx';
import { AreaPicker } from './AreaPicker.tsx';
import { adminApi } from './api.ts';
import { rolesFor } from './NewUserPage.tsx';
import { areaLabel } from './UsersPage.tsx';

export function UserPage({ username }: { username: string }) {
  return (
    <AdminPage tab="users" title={null}>
      {(session) => <User session={session} username={username} />}
    </AdminPage>
  );
}

type Card = 'status' | 'role' | 'areas' | 'phone' | 'password';

/** A card with its title, its refusal and its 已保存. */
function Section({ title, error, saved, children, testid }: { title: string; error?: string | null; saved?: string | null; children: ReactNode; testid: string }) {
  return (
    <div className="card" data-testid={testid}>
      <h2>{title}</h2>
      {children}
      {error && (
        <p className="error" role="alert" data-testid={`${testid}-error`}>
          {error}
        </p>
      )}
      {saved && (
        <p className="notice" role="status" data-testid={`${testid}-saved`}>
          {saved}
        </p>
      )}
    </div>
  );
}

/** A request body's first problem in the user's words (the same schema the county checks), or null. */
const problemIn = (schema: Parameters<typeof requestProblem>[0], body: unknown): string | null => {
  const p = requestProblem(schema, body);
  return p ? refusalWords(400, 'invalid', p.message, p.path) : null;
};

function User({ session, username }: { session: Session; username: string }) {
  const { t } = useTranslation();
  const { loc } = useRouter();
  const list = useCounty(session, adminApi.users, [username]);
  const tree = useCounty(session, adminApi.areaTree, []);
  const [user, setUser] = useState<AdminUser | null>(null);
  const [role, setRole] = useState<Role>('village-doctor');
  const [areas, setAreas] = useState<string[]>([]);
  const [phone, setPhone] = useState('');
  const [pw, setPw] = useState({ a: '', b: '' });
  const [errors, setErrors] = useState<Partial<Record<Card, string>>>({});
  const [saved, setSaved] = useState<Partial<Record<Card, string>>>({});
  const created = loc.query.get('created') === '1';
  const [ask, setAsk] = useState<'disable' | 'password' | null>(null);
  const [busy, setBusy] = useState(false);

  const show = (u: AdminUser) => {
    setUser(u);
    setRole(u.role);
    setAreas(u.areas.map((a) => a.code));
    setPhone(u.phone ?? '');
  };
  useEffect(() => {
    const u = list.data?.find((x) => x.username === username);
    if (u) show(u);
  }, [list.data, username]);

  if (list.error) return <LoadProblem {...list} />;
  if (list.data === null) return <p className="muted">{t('common.loading')}</p>;
  if (!user) return <p className="notice">{t('admin.user.notFound')}</p>;
  const self = user.username === session.username;

  /** Runs one change: its answer shown, or its refusal on its card. */
  const change = async (card: Card, run: () => Promise<AdminUser>, done = t('admin.saved')) => {
    setBusy(true);
    setErrors({});
    setSaved({});
    try {
      show(await run());
      setSaved({ [card]: done });
      setAsk(null);
      return true;
    } catch (e) {
      setErrors({ [card]: problemOf(e, t) });
      return false;
    } finally {
      setBusy(false);
    }
  };
  const refuse = (card: Card, message: string | null) => {
    setSaved({});
    setErrors(message ? { [card]: message } : {});
    return message !== null;
  };

  const name = user.displayName;
  return (
    <div className="admin-user" data-testid="admin-user" data-username={user.username} data-disabled={user.disabled ? 'yes' : 'no'}>
      <div className="page-head">
        <h1 className="who">
          {name} <small className="mono">{user.username}</small>
          {user.disabled && <span className="badge muted-badge">{t('admin.users.disabled')}</span>}
        </h1>
        <Link to="/admin" className="button">
          {t('admin.user.back')}
        </Link>
      </div>
      {created && (
        <p className="notice" role="status" data-testid="admin-created">
          {t('admin.user.created', { username: user.username })}
        </p>
      )}
      <dl className="facts">
        <div className="fact">
          <dt>{t('admin.user.role')}</dt>
          <dd>{t(`profile.role.${user.role}`)}</dd>
        </div>
        <div className="fact">
          <dt>{t('admin.user.areas')}</dt>
          <dd>{user.role === 'admin' ? t('admin.users.everywhere') : user.areas.length ? user.areas.map(areaLabel).join(t('admin.comma')) : t('admin.users.noAreas')}</dd>
        </div>
        <div className="fact">
          <dt>{t('admin.user.phone')}</dt>
          <dd className="mono">{user.phone ?? '—'}</dd>
        </div>
        <div className="fact">
          <dt>{t('admin.user.lastSignIn')}</dt>
          <dd>{user.lastSignInAt ? when(user.lastSignInAt) : t('admin.users.never')}</dd>
        </div>
        <div className="fact">
          <dt>{t('admin.user.status')}</dt>
          <dd>
            {user.disabled ? t('admin.user.disabledSince') : t('admin.user.active')} · {t('admin.user.since', { when: when(user.createdAt) })}
          </dd>
        </div>
      </dl>

      {user.role !== 'admin' && (
        <Section title={t('admin.user.areas')} error={errors.areas} saved={saved.areas} testid="card-areas">
          <LoadProblem {...tree} />
          {tree.data ? <AreaPicker id="areas" tree={tree.data} value={areas} onChange={setAreas} givable={givableFor(session)} /> : !tree.error && <p className="muted">{t('admin.picker.loading')}</p>}
          <button
            type="button"
            className="primary"
            disabled={busy || !tree.data}
            onClick={() => {
              if (!refuse('areas', problemIn(AreasRequestSchema, { areas }))) void change('areas', () => adminApi.areas(session.token, user.username, areas));
            }}
            data-testid="admin-save-areas"
          >
            {t('admin.user.saveAreas')}
          </button>
        </Section>
      )}

      <Section title={t('admin.user.phone')} error={errors.phone} saved={saved.phone} testid="card-phone">
        <SubmitForm
          className="inline-form"
          onSubmit={() => {
            const value = phone.trim() === '' ? null : phone.trim();
            if (!refuse('phone', problemIn(PhoneRequestSchema, { phone: value }))) void change('phone', () => adminApi.phone(session.token, user.username, value));
          }}
        >
          <input type="tel" inputMode="tel" aria-label={t('admin.user.phone')} value={phone} onChange={(e) => setPhone(e.target.value)} data-testid="admin-phone" />
          <button type="submit" disabled={busy} data-testid="admin-save-phone">
            {t('admin.user.savePhone')}
          </button>
        </SubmitForm>
        <p className="hint">{t('admin.user.phoneHint')}</p>
      </Section>

      {!self && (
        <Section title={t('admin.user.role')} error={errors.role} saved={saved.role} testid="card-role">
          <div className="inline-form">
            <select aria-label={t('admin.user.role')} value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="admin-role">
              {rolesFor(session).map((r) => (
                <option key={r} value={r}>
                  {t(`profile.role.${r}`)}
                </option>
              ))}
            </select>
            <button type="button" disabled={busy || role === user.role} onClick={() => void change('role', () => adminApi.role(session.token, user.username, role))} data-testid="admin-save-role">
              {t('admin.user.saveRole')}
            </button>
          </div>
        </Section>
      )}

      <Section title={t('admin.user.reset')} error={errors.password} saved={saved.password} testid="card-password">
        <p className="hint">{t('admin.user.resetHelp')}</p>
        <p className="hint">{t('admin.user.passwordHint')}</p>
        <SubmitForm
          onSubmit={() => {
            const p = problemIn(PasswordRequestSchema, { password: pw.a }) ?? (pw.a !== pw.b ? t('admin.user.mismatch') : null);
            if (!refuse('password', p)) setAsk('password');
          }}
        >
          <div className="field-row">
            <Field id="new-password" label={t('admin.user.newPassword')}>
              <input id="new-password" type="password" autoComplete="new-password" value={pw.a} onChange={(e) => setPw((x) => ({ ...x, a: e.target.value }))} data-testid="admin-password" />
            </Field>
            <Field id="new-password2" label={t('admin.user.passwordAgain')}>
              <input id="new-password2" type="password" autoComplete="new-password" value={pw.b} onChange={(e) => setPw((x) => ({ ...x, b: e.target.value }))} data-testid="admin-password2" />
            </Field>
          </div>
          <div className="form-actions">
            <button type="submit" disabled={busy} data-testid="admin-reset">
              {t('admin.user.reset')}
            </button>
          </div>
        </SubmitForm>
      </Section>

      <Section title={t('admin.user.status')} error={errors.status} saved={saved.status} testid="card-status">
        {self ? (
          <p className="muted">{t('admin.user.self')}</p>
        ) : user.disabled ? (
          <button type="button" className="primary" disabled={busy} onClick={() => void change('status', () => adminApi.enable(session.token, user.username), t('admin.user.enabled'))} data-testid="admin-enable">
            {t('admin.user.enable')}
          </button>
        ) : (
          <button type="button" className="danger" disabled={busy} onClick={() => setAsk('disable')} data-testid="admin-disable">
            {t('admin.user.disable')}
          </button>
        )}
      </Section>

      <ConfirmDialog
        open={ask === 'disable'}
        danger
        busy={busy}
        title={t('admin.user.disableTitle', { name })}
        message={<p>{t('admin.user.disableText', { name })}</p>}
        confirmLabel={t('admin.user.disableYes')}
        error={ask === 'disable' ? (errors.status ?? null) : null}
        onCancel={() => setAsk(null)}
        onConfirm={() => void change('status', () => adminApi.disable(session.token, user.username))}
      />
      <ConfirmDialog
        open={ask === 'password'}
        danger
        busy={busy}
        title={t('admin.user.resetTitle', { name })}
        message={
          <>
            <p>{t('admin.user.resetText', { name })}</p>
            {self && <p className="error">{t('admin.user.resetSelf')}</p>}
          </>
        }
        confirmLabel={t('admin.user.resetYes')}
        error={ask === 'password' ? (errors.password ?? null) : null}
        onCancel={() => setAsk(null)}
        onConfirm={() =>
          void change('password', () => adminApi.password(session.token, user.username, pw.a), t('admin.user.resetDone')).then((ok) => {
            if (ok) setPw({ a: '', b: '' });
          })
        }
      />
    </div>
  );
}
