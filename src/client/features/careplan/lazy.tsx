/**
 * The care-plan screens load when first opened (their schemas and rules are a chunk of their own,
 * outside the initial JavaScript budget), and the work-list count is computed after the first
 * screen is up, then again a while after each change: over a large roster it reads every table.
 */
import { lazy, Suspense, useEffect, useState } from 'react';
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

/** Items due or overdue, for the navigation: first 2 s after start, then 3 s after the last change. */
export function useWorkCount(): number | null {
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    let timer: number | undefined;
    const run = () => {
      void import('../../db/careplan.ts')
        .then((m) => m.workList(today()))
        .then((items) => live && setCount(items.filter((i) => i.state !== 'upcoming').length))
        .catch(() => undefined);
    };
    const soon = (ms: number) => {
      window.clearTimeout(timer);
      timer = window.setTimeout(run, ms);
    };
    soon(2_000);
    const onChange = () => soon(3_000);
    outboxListeners.add(onChange);
    return () => {
      live = false;
      window.clearTimeout(timer);
      outboxListeners.delete(onChange);
    };
  }, []);
  return count;
}
