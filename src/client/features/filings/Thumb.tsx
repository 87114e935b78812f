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
  return <ZoomView url={url} label={label} onClose={onClose} />;
}

/**
 * The photo itself: a tap closes it; a double tap zooms to 2.5× and back; two fingers pinch
 * between 1× and 4×; zoomed, it pans by scrolling. Written by hand: a zoom library is bigger than
 * these thirty lines, and the browser's own page zoom would zoom the whole app.
 */
function ZoomView({ url, label, onClose }: { url: string; label: string; onClose: () => void }) {
  const [scale, setScale] = useState(1);
  const scaleRef = useRef(1);
  scaleRef.current = scale;
  const tap = useRef<number | undefined>(undefined);
  const pointers = useRef(new Map<number, { x: number; y: number }>());
  const pinch = useRef<{ dist: number; scale: number } | null>(null);
  useEffect(() => () => window.clearTimeout(tap.current), []);
  const dist = () => {
    const [a, b] = [...pointers.current.values()];
    return a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0;
  };
  const onImage = (e: React.MouseEvent) => {
    e.stopPropagation();
    if (tap.current !== undefined) {
      window.clearTimeout(tap.current);
      tap.current = undefined;
      setScale((s) => (s > 1 ? 1 : 2.5));
      return;
    }
    tap.current = window.setTimeout(() => {
      tap.current = undefined;
      if (scaleRef.current === 1) onClose();
    }, 300);
  };
  return (
    <div className={`photo-viewer${scale > 1 ? ' zoomed' : ''}`} role="dialog" aria-label={label} onClick={onClose} data-testid="photo-viewer" data-scale={scale}>
      <img
        src={url}
        alt={label}
        style={scale > 1 ? { width: `${scale * 100}vw`, maxWidth: 'none', maxHeight: 'none' } : undefined}
        onClick={onImage}
        onPointerDown={(e) => {
          pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
          if (pointers.current.size === 2) pinch.current = { dist: dist(), scale: scaleRef.current };
        }}
        onPointerMove={(e) => {
          if (!pointers.current.has(e.pointerId)) return;
          pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
          if (pinch.current && pointers.current.size === 2 && pinch.current.dist > 0) setScale(Math.min(4, Math.max(1, (pinch.current.scale * dist()) / pinch.current.dist)));
        }}
        onPointerUp={(e) => {
          pointers.current.delete(e.pointerId);
          if (pointers.current.size < 2) pinch.current = null;
        }}
        onPointerCancel={(e) => {
          pointers.current.delete(e.pointerId);
          pinch.current = null;
        }}
        data-testid="photo-viewer-image"
      />
      <button type="button" className="close" onClick={onClose}>
        ×
      </button>
    </div>
  );
}
