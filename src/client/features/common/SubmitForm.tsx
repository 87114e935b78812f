import type { ReactNode } from 'react';

/** A form checked by the app itself (the browser's own messages are off), submitted without a reload. */
export function SubmitForm({ onSubmit, children, className }: { onSubmit: () => void; children: ReactNode; className?: string }) {
  return (
    <form
      noValidate
      className={className}
      onSubmit={(ev) => {
        ev.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}
