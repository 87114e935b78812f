/**
 * A small history router: the app has a handful of routes and must open any of them offline from
 * a deep link (the service worker answers every navigation with the app shell).
 */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode, type MouseEvent } from 'react';

interface Loc {
  path: string;
  query: URLSearchParams;
}

const RouterContext = createContext<{ loc: Loc; navigate: (to: string, opts?: { replace?: boolean }) => void }>({
  loc: { path: '/', query: new URLSearchParams() },
  navigate: () => {},
});

function current(): Loc {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

/** Guards that may veto leaving the page (a form with unsaved input). */
const leaveGuards = new Set<() => boolean>();
export function addLeaveGuard(g: () => boolean): () => void {
  leaveGuards.add(g);
  return () => leaveGuards.delete(g);
}

export function RouterProvider({ children }: { children: ReactNode }) {
  const [loc, setLoc] = useState<Loc>(current);
  useEffect(() => {
    const on = () => setLoc(current());
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  const navigate = useCallback((to: string, opts?: { replace?: boolean }) => {
    for (const g of leaveGuards) if (!g()) return;
    if (opts?.replace) window.history.replaceState(null, '', to);
    else window.history.pushState(null, '', to);
    setLoc(current());
    window.scrollTo(0, 0);
  }, []);
  return <RouterContext.Provider value={{ loc, navigate }}>{children}</RouterContext.Provider>;
}

export function useRouter() {
  return useContext(RouterContext);
}

/** Matches "/households/:id" against a path; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const a = path.split('/').filter(Boolean);
  if (p.length !== a.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.startsWith(':')) params[p[i]!.slice(1)] = decodeURIComponent(a[i]!);
    else if (p[i] !== a[i]) return null;
  }
  return params;
}

export function Link({ to, children, className, ...rest }: { to: string; children: ReactNode; className?: string; 'data-testid'?: string; 'aria-label'?: string }) {
  const { navigate } = useRouter();
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={onClick} className={className} {...rest}>
      {children}
    </a>
  );
}
