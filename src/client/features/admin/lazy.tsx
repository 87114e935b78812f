/**
 * The administration screens (用户, 设备, 操作记录) load when first opened: they, their words and
 * their schemas are a chunk of their own, outside the initial JavaScript budget.
 */
import { lazy, Suspense, type ReactNode } from 'react';

let loading: Promise<typeof import('./screens.ts')> | null = null;
function screens(): Promise<typeof import('./screens.ts')> {
  loading ??= Promise.all([import('../../i18n/index.ts'), import('./messages.ts'), import('./screens.ts'), import('./admin.css')]).then(([{ addBundle }, { adminMessages }, m]) => {
    addBundle(adminMessages);
    return m;
  });
  // A failed load (offline before the chunk was cached) is tried again at the next visit.
  loading.catch(() => (loading = null));
  return loading;
}

const Users = lazy(() => screens().then((m) => ({ default: m.UsersPage })));
const NewUser = lazy(() => screens().then((m) => ({ default: m.NewUserPage })));
const OneUser = lazy(() => screens().then((m) => ({ default: m.UserPage })));
const Devices = lazy(() => screens().then((m) => ({ default: m.DevicesPage })));
const Audit = lazy(() => screens().then((m) => ({ default: m.AuditPage })));

const wrap = (node: ReactNode) => <Suspense fallback={<section className="page" />}>{node}</Suspense>;
export const AdminUsers = () => wrap(<Users />);
export const AdminNewUser = () => wrap(<NewUser />);
export const AdminUser = ({ username }: { username: string }) => wrap(<OneUser username={username} />);
export const AdminDevices = () => wrap(<Devices />);
export const AdminAudit = () => wrap(<Audit />);
