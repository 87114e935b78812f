import type { ReactNode } from 'react';

/** A labelled field with its error message right under it, named for screen readers too. */
export function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string | null; hint?: string | null; children: ReactNode }) {
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error && <p className="hint" id={`${id}-hint`}>{hint}</p>}
      {error && (
        <p className="error" id={`${id}-error`} role="alert" data-testid={`error-${id}`}>
          {error}
        </p>
      )}
    </div>
  );
}
