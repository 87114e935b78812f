/**
 * The care-plan screens load when first opened (their schemas and rules are a chunk of their own,
 * outside the initial JavaScript budget), and the work-list count is computed after the first
 * screen is up, then again a while after each change: over a large roster it reads every table.
 */
import { lazy, Suspense, useSyncExternalStore } from 'react';
import { outboxListeners } from '../../db/schema.ts';
import { today } from '../../i18n/index.ts';

const WorkListScreen = lazy(() => import('./WorkList.tsx').then((m) => ({ default: m.WorkList })));
const FollowupScreen = lazy(() => import('./FollowupForm.tsx').then((m) => ({ default: m.FollowupForm })));
const VisitScreen = lazy(() => import('./VisitForm.tsx').then((m) => ({ default: m.VisitForm })));
const ContractScreen = lazy(() => import('./ContractForm.tsx').then((m) => ({ default: m.ContractForm })));
const DashboardScreen = lazy(() => import('./Dashboard.tsx').then((m) => ({ default: m.Dashboard })));

const wrap = (node: React.ReactNode) => <Suspense fallback={<section className="page" />}>{node}</Suspense>;
export const WorkList = () => wrap(<WorkListScreen />);
export const FollowupForm = ({ memberId }: { memberId: string }) => wrap(<FollowupScreen memberId={memberId} />);
export const VisitForm = ({ householdId }: { householdId: string }) => wrap(<VisitScreen householdId={householdId} />);
export const ContractForm = ({ householdId }: { householdId: string }) => wrap(<ContractScreen householdId={householdId} />);
export const Dashboard = () => wrap(<DashboardScreen />);

/**
 * Items due or overdue, for the navigation and the home screen (one count, computed once for both):
 * first 2 s after start, then 3 s after the last change.
 */
let count: number | null = null;
const listeners = new Set<() => void>();
let timer: number | undefined;
let started = false;

function run(): void {
  void import('../../db/careplan.ts')
    .then((m) => m.workList(today()))
    .then((items) => {
      count = items.filter((i) => i.state !== 'upcoming').length;
      for (const l of listeners) l();
    })
    .catch(() => undefined);
}
function soon(ms: number): void {
  window.clearTimeout(timer);
  timer = window.setTimeout(run, ms);
}
function subscribe(l: () => void): () => void {
  listeners.add(l);
  if (!started) {
    started = true;
    soon(2_000);
    outboxListeners.add(() => soon(3_000));
  }
  return () => listeners.delete(l);
}

export function useWorkCount(): number | null {
  return useSyncExternalStore(subscribe, () => count);
}
