import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useState } from 'react';
import { db } from '../../db/schema.ts';

/** A photo kept on the tablet, by hash; `null` when this tablet does not hold it. */
export function useLocalPhoto(sha256: string): string | null | undefined {
  const blob = useLiveQuery(async () => (await db().attachments.where('sha256').equals(sha256).first())?.blob ?? null, [sha256]);
  const [url, setUrl] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    if (blob === undefined) return;
    if (blob === null) {
      setUrl(null);
      return;
    }
    const u = URL.createObjectURL(blob);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [blob]);
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
export function PhotoViewer({ url, onClose, label }: { url: string | null; onClose: () => void; label: string }) {
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
