import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { db } from './db/schema.ts';
import { EnrolmentList } from './features/enrolments/EnrolmentList.tsx';
import { EstimatePage } from './features/estimate/EstimatePage.tsx';
import { LedgerForm } from './features/ledger/LedgerForm.tsx';
import { LedgerPage } from './features/ledger/LedgerPage.tsx';
import { EnrolmentForm } from './features/enrolments/EnrolmentForm.tsx';
import { HouseholdDetail } from './features/households/HouseholdDetail.tsx';
import { HouseholdForm } from './features/households/HouseholdForm.tsx';
import { HouseholdList } from './features/households/HouseholdList.tsx';
import { MemberForm } from './features/members/MemberForm.tsx';
import { MemberPage } from './features/members/MemberPage.tsx';
import { StatusForm } from './features/members/StatusForm.tsx';
import { SearchBox } from './features/search/SearchBox.tsx';
import { SearchPage } from './features/search/SearchPage.tsx';
import { Settings } from './features/settings/Settings.tsx';
import { StorageWarning } from './features/settings/StorageWarning.tsx';
import { VillageList } from './features/villages/VillageList.tsx';
import { Welcome } from './features/welcome/Welcome.tsx';
import { UpdateBanner } from './pwa/UpdateBanner.tsx';
import { LoginPage } from './features/sync/LoginPage.tsx';
import { SyncIssues } from './features/sync/SyncIssues.tsx';
import { SyncStatus } from './features/sync/SyncStatus.tsx';
import { Link, match, useRouter } from './router.tsx';
import { FilingPage } from './features/filings/FilingPage.tsx';
import { FilingNewsBanner } from './features/filings/NewsBanner.tsx';
import { useFilingNews } from './features/filings/news.ts';
import { FilingsPage } from './features/filings/FilingList.tsx';
import { NewFiling } from './features/filings/NewFiling.tsx';
import { ReviewDetail } from './features/review/ReviewDetail.tsx';
import { ReviewQueue } from './features/review/ReviewQueue.tsx';
import { useSession } from './features/sync/useSession.ts';
import { AccountBar, DemoBar } from './profiles/Account.tsx';
import { ContractForm, Dashboard, FollowupForm, useWorkCount, VisitForm, WorkList } from './features/careplan/lazy.tsx';
import { isReviewer } from './sync/session.ts';
import { AdminAudit, AdminDevices, AdminNewUser, AdminUser, AdminUsers } from './features/admin/lazy.tsx';
import { ExportsPage } from './features/exports/lazy.tsx';
import { ImportPage } from './features/imports/lazy.tsx';

type Route = [string, (p: Record<string, string>) => React.ReactNode];

const ROUTES: Route[] = [
  ['/welcome', () => <Welcome />],
  ['/villages', () => <VillageList />],
  ['/villages/:id', (p) => <HouseholdList villageId={p.id!} />],
  ['/villages/:id/enrolments', (p) => <EnrolmentList villageId={p.id!} />],
  ['/households', () => <HouseholdList villageId={null} />],
  ['/households/new', () => <HouseholdForm householdId={null} />],
  ['/households/:id', (p) => <HouseholdDetail id={p.id!} />],
  ['/households/:id/edit', (p) => <HouseholdForm householdId={p.id!} />],
  ['/households/:id/members/new', (p) => <MemberForm householdId={p.id!} memberId={null} />],
  ['/members/:id', (p) => <MemberPage id={p.id!} />],
  ['/members/:id/edit', (p) => <MemberForm householdId={null} memberId={p.id!} />],
  ['/members/:id/status/new', (p) => <StatusForm memberId={p.id!} />],
  ['/members/:id/enrolments/new', (p) => <EnrolmentForm memberId={p.id!} />],
  ['/enrolments', () => <EnrolmentList villageId={null} />],
  ['/estimate', () => <EstimatePage />],
  ['/members/:id/ledger', (p) => <LedgerPage memberId={p.id!} />],
  ['/members/:id/ledger/new', (p) => <LedgerForm memberId={p.id!} entryId={null} />],
  ['/ledger/:id/edit', (p) => <LedgerForm memberId={null} entryId={p.id!} />],
  ['/search', () => <SearchPage />],
  ['/settings', () => <Settings />],
  ['/login', () => <LoginPage />],
  ['/filings', () => <FilingsPage villageId={null} />],
  ['/filings/:id', (p) => <FilingPage id={p.id!} />],
  ['/members/:id/filings/new', (p) => <NewFiling memberId={p.id!} />],
  ['/villages/:id/filings', (p) => <FilingsPage villageId={p.id!} />],
  ['/review', () => <ReviewQueue />],
  ['/review/:id', (p) => <ReviewDetail id={p.id!} />],
  ['/sync', () => <SyncIssues />],
  // care plan (visits, follow-ups, contracts, work list, dashboard)
  ['/worklist', () => <WorkList />],
  ['/members/:id/followups/new', (p) => <FollowupForm memberId={p.id!} />],
  ['/households/:id/contracts/new', (p) => <ContractForm householdId={p.id!} />],
  ['/households/:id/visits/new', (p) => <VisitForm householdId={p.id!} />],
  ['/dashboard', () => <Dashboard />],

  // administration and spreadsheets
  ['/admin', () => <AdminUsers />],
  ['/admin/users/new', () => <AdminNewUser />],
  ['/admin/users/:username', (p) => <AdminUser username={p.username!} />],
  ['/admin/devices', () => <AdminDevices />],
  ['/admin/audit', () => <AdminAudit />],
  ['/exports', () => <ExportsPage />],
  ['/import', () => <ImportPage />],

  // profiles, lock and encryption: src/client/profiles (Gate.tsx shows them before any route)
];

export function App() {
  const { t } = useTranslation();
  const { loc, navigate } = useRouter();
  const villageCount = useLiveQuery(() => db().villages.count(), [], null);
  const session = useSession();
  const reviewer = isReviewer(session?.role);
  const work = useWorkCount();
  const news = useFilingNews().length;

  useEffect(() => {
    if (villageCount === 0 && !['/welcome', '/settings', '/login'].includes(loc.path) && !loc.path.startsWith('/review') && !loc.path.startsWith('/admin') && !(reviewer && ['/dashboard', '/import', '/exports'].includes(loc.path))) navigate(reviewer ? '/review' : '/welcome', { replace: true });
    else if (villageCount !== null && villageCount > 0 && loc.path === '/') navigate('/villages', { replace: true });
  }, [villageCount, loc.path, navigate, reviewer]);

  let page: React.ReactNode = null;
  for (const [pattern, render] of ROUTES) {
    const params = match(pattern, loc.path);
    if (params) {
      page = render(params);
      break;
    }
  }
  if (page === null && loc.path !== '/') {
    page = (
      <section className="page">
        <h1>{t('notFound.title')}</h1>
        <p>
          <Link to="/villages">{t('nav.villages')}</Link>
        </p>
      </section>
    );
  }

  return (
    <div className="app">
      <header className="topbar">
        <Link to="/villages" className="brand" aria-label={t('app.name')}>
          <img src="/icons/icon.svg" alt="" width={36} height={36} />
          <span>{t('app.name')}</span>
        </Link>
        <SearchBox />
        <nav className="nav">
          <Link to="/villages" data-testid="nav-villages">{t('nav.villages')}</Link>
          {!reviewer && (
            <Link to="/worklist" data-testid="nav-worklist">
              {t('care.nav')}
              {work ? <span className="count-badge" data-testid="worklist-count">{work}</span> : null}
            </Link>
          )}
          <Link to="/dashboard" data-testid="nav-dashboard">
            {t('care.dash.nav')}
          </Link>
          <Link to="/estimate">{t('nav.estimate')}</Link>
          <Link to="/filings" data-testid="nav-filings">
            {t('nav.filings')}
            {news && !reviewer ? (
              <span className="count-badge" data-testid="filings-news-count" aria-label={t('filingNews.badge', { count: news })}>
                {news}
              </span>
            ) : null}
          </Link>
          {reviewer && <Link to="/review">{t('nav.review')}</Link>}
          {(session?.role === 'admin' || session?.role === 'county-reviewer') && (
            <Link to="/import" data-testid="nav-import">
              {t('nav.import')}
            </Link>
          )}
          {(session?.role === 'admin' || session?.role === 'county-reviewer') && (
            <Link to="/admin" data-testid="nav-admin">
              {t('nav.admin')}
            </Link>
          )}
          <Link to="/enrolments">{t('nav.enrolments')}</Link>
          <Link to="/settings">{t('nav.settings')}</Link>
        </nav>
        <AccountBar />
      </header>
      <DemoBar />
      <SyncStatus />
      {!reviewer && <FilingNewsBanner />}
      <UpdateBanner />
      <StorageWarning />
      <main className="main" data-ready={villageCount !== null ? 'yes' : 'no'}>
        {page}
      </main>
    </div>
  );
}
