import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useRef, useState } from 'react';
import { photoBlob } from '../../db/filings.ts';
import { db } from '../../db/schema.ts';

/** A photo kept on the tablet, by hash; `null` when this tablet does not hold it. */
export function useLocalPhoto(sha256: string): string | null | undefined {
  const att = useLiveQuery(async () => (await db().attachments.where('sha256').equals(sha256).first()) ?? null, [sha256]);
  const [url, setUrl] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    if (att === undefined) return;
    if (att === null) {
      setUrl(null);
      return;
    }
    // Stored sealed: opened in memory for the screen only.
    let u: string | null = null;
    let gone = false;
    void photoBlob(att).then(
      (blob) => {
        if (gone) return;
        u = URL.createObjectURL(blob);
        setUrl(u);
      },
      () => !gone && setUrl(null),
    );
    return () => {
      gone = true;
      if (u) URL.revokeObjectURL(u);
    };
  }, [att]);
  return url;
}

export function Thumb({ sha256, alt, onOpen }: { sha256: string; alt: string; onOpen?: (url: string) => void }) {
  const url = useLocalPhoto(sha256);
  if (url === undefined) return <span className="thumb placeholder" />;
  if (url === null) return <span className="thumb placeholder" title={alt} />;
  return (
    <button type="button" className="thumb" onClick={() => onOpen?.(url)} aria-label={alt}>
      <img src={url} alt={alt} />
    </button>
  );
}

/** A photo full size, over the page. */
/**
 * A photo full screen. It closes with a tap, the close button, Esc, or the tablet's back button
 * (an entry is pushed on the history while it is open, so back closes the photo, not the page).
 */
export function PhotoViewer({ url, onClose, label }: { url: string | null; onClose: () => void; label: string }) {
  const open = url !== null;
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    if (!open) return;
    let popped = false;
    window.history.pushState({ photoViewer: true }, '', window.location.href);
    const onPop = () => {
      // Still on a viewer's entry (React's development double effect): stay open.
      if ((window.history.state as { photoViewer?: boolean } | null)?.photoViewer) return;
      popped = true;
      close.current();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close.current();
    };
    window.addEventListener('popstate', onPop);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('popstate', onPop);
      window.removeEventListener('keydown', onKey);
      // Closed another way: take back the entry pushed for it.
      if (!popped && (window.history.state as { photoViewer?: boolean } | null)?.photoViewer) window.history.back();
    };
  }, [open]);
  if (!url) return null;
  return (
    <div className="photo-viewer" role="dialog" aria-label={label} onClick={onClose} data-testid="photo-viewer">
      <img src={url} alt={label} />
      <button type="button" className="close" onClick={onClose}>
        ×
      </button>
    </div>
  );
}
