/**
 * 新建用户: username, name, role, first password (twice), phone and areas ticked on the county's
 * townships and villages. Checked here by the same schema the county checks it by; the password
 * rule's list of common passwords is the county's, and its refusal is shown at the field.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NewUserRequestSchema, requestProblem } from '../../../model/admin.ts';
import { ROLES, type Role } from '../../../model/sync.ts';
import { useRouter } from '../../router.tsx';
import type { Session } from '../../sync/session.ts';
import { refusalWords } from '../../sync/error-words.ts';
import { Field } from '../common/Field.tsx';
import { SubmitForm } from '../common/SubmitForm.tsx';
import { AdminPage, fieldOf, givableFor, LoadProblem, problemOf, useCounty } from './AdminPage.tsx';
import { AreaPicker } from './AreaPicker.tsx';
import { adminApi } from './api.ts';

export function NewUserPage() {
  const { t } = useTranslation();
  return (
    <AdminPage tab="users" title={t('admin.users.new')}>
      {(session) => <NewUser session={session} />}
    </AdminPage>
  );
}

/** The roles the session may give: a county user never the administrator's. */
export const rolesFor = (s: Session): Role[] => ROLES.filter((r) => s.role === 'admin' || r !== 'admin');

function NewUser({ session }: { session: Session }) {
  const { t } = useTranslation();
  const { navigate } = useRouter();
  const tree = useCounty(session, adminApi.areaTree, []);
  const [f, setF] = useState({ username: '', displayName: '', role: 'village-doctor' as Role, password: '', password2: '', phone: '' });
  const [areas, setAreas] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));

  const submit = async () => {
    const body = { username: f.username.trim(), displayName: f.displayName, role: f.role, password: f.password, areas: f.role === 'admin' ? [] : areas, ...(f.phone.trim() ? { phone: f.phone.trim() } : {}) };
    const problem = requestProblem(NewUserRequestSchema, body);
    const next: Record<string, string> = {};
    if (problem) next[problem.path.split('.')[0]!] = refusalWords(400, 'invalid', problem.message, problem.path);
    if (!next.password && f.password !== f.password2) next.password2 = t('admin.user.mismatch');
    setErrors(next);
    if (Object.keys(next).length) return;
    setBusy(true);
    try {
      const u = await adminApi.create(session.token, body);
      navigate(`/admin/users/${encodeURIComponent(u.username)}?created=1`);
    } catch (e) {
      setErrors({ [fieldOf(e) ?? 'form']: problemOf(e, t) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <SubmitForm onSubmit={() => void submit()} className="admin-form">
      <div className="field-row">
        <Field id="username" label={t('admin.user.username')} error={errors.username} hint={t('admin.user.usernameHint')}>
          <input id="username" autoComplete="off" autoCapitalize="none" spellCheck={false} value={f.username} onChange={set('username')} data-testid="new-username" />
        </Field>
        <Field id="displayName" label={t('admin.user.displayName')} error={errors.displayName}>
          <input id="displayName" autoComplete="off" value={f.displayName} onChange={set('displayName')} data-testid="new-display-name" />
        </Field>
      </div>
      <div className="field-row">
        <Field id="role" label={t('admin.user.role')} error={errors.role}>
          <select id="role" value={f.role} onChange={set('role')} data-testid="new-role">
            {rolesFor(session).map((r) => (
              <option key={r} value={r}>
                {t(`profile.role.${r}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="phone" label={t('admin.user.phone')} error={errors.phone} hint={t('admin.user.phoneHint')}>
          <input id="phone" type="tel" inputMode="tel" autoComplete="off" value={f.phone} onChange={set('phone')} data-testid="new-phone" />
        </Field>
      </div>
      <div className="field-row">
        <Field id="password" label={t('admin.user.password')} error={errors.password} hint={t('admin.user.passwordHint')}>
          <input id="password" type="password" autoComplete="new-password" value={f.password} onChange={set('password')} data-testid="new-password" />
        </Field>
        <Field id="password2" label={t('admin.user.passwordAgain')} error={errors.password2}>
          <input id="password2" type="password" autoComplete="new-password" value={f.password2} onChange={set('password2')} data-testid="new-password2" />
        </Field>
      </div>
      {f.role !== 'admin' && (
        <fieldset className="admin-areas">
          <legend>{t('admin.user.areas')}</legend>
          {errors.areas && (
            <p className="error" role="alert" data-testid="error-areas">
              {errors.areas}
            </p>
          )}
          <LoadProblem {...tree} />
          {tree.data ? <AreaPicker id="areas" tree={tree.data} value={areas} onChange={setAreas} givable={givableFor(session)} /> : !tree.error && <p className="muted">{t('admin.picker.loading')}</p>}
        </fieldset>
      )}
      {errors.form && (
        <p className="error" role="alert" data-testid="error-form">
          {errors.form}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy} data-testid="admin-create">
          {t('admin.user.create')}
        </button>
        <button type="button" onClick={() => window.history.back()}>
          {t('common.back')}
        </button>
      </div>
    </SubmitForm>
  );
}
