/** The administration screens, one chunk (lazy.tsx loads it with their words and styles). */
export { AuditPage } from './AuditPage.tsx';
export { DevicesPage } from './DevicesPage.tsx';
export { NewUserPage } from './NewUserPage.tsx';
export { UserPage } from './UserPage.tsx';
export { UsersPage } from './UsersPage.tsx';
