import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DocumentRef } from '../../../model/filing.ts';
import { addPhoto, FilingError, photoBlob, removePhoto } from '../../db/filings.ts';
import { db } from '../../db/schema.ts';
import { compressPhoto, PhotoError, rotatePhoto } from './images.ts';
import { PhotoButtons } from './PhotoButtons.tsx';
import { PhotoViewer, Thumb } from './Thumb.tsx';
import { ConfirmDialog } from '../common/ConfirmDialog.tsx';
import './DocumentsField.css';

/** The photos of one document: take with the camera or pick from the files, see, turn, remove. */
export function DocumentsField({ filingId, kind, title, required, min, docs }: { filingId: string; kind: string; title: string; required: boolean; min: number; docs: DocumentRef[] }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [viewing, setViewing] = useState<string | null>(null);
  const [removing, setRemoving] = useState<DocumentRef | null>(null);

  const add = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    setBusy(true);
    setError(null);
    const refused: string[] = [];
    for (const file of [...files]) {
      try {
        await addPhoto(filingId, kind, await compressPhoto(file));
      } catch (e) {
        if (e instanceof PhotoError || e instanceof FilingError) refused.push(t(`filing.photo.${e instanceof PhotoError ? e.code : e.code === 'too-large' || e.code === 'duplicate' ? e.code : 'not-an-image'}`, { name: file.name || t('filing.photo.unnamed') }));
        else throw e;
      }
    }
    if (refused.length) setError(refused.join(' '));
    setBusy(false);
  };

  const rotate = async (doc: DocumentRef) => {
    setBusy(true);
    try {
      const att = await db().attachments.where('sha256').equals(doc.sha256).first();
      if (att) await addPhoto(filingId, kind, await rotatePhoto(await photoBlob(att)), db(), doc.id);
    } finally {
      setBusy(false);
    }
  };

  const id = `doc-${kind}`;
  return (
    <div className={`field documents${error ? ' invalid' : ''}`} id={id} data-testid={id}>
      <span className="label">
        {title}
        {required ? ` · ${t('filing.photo.need', { count: min })}` : ` · ${t('filing.optional')}`}
      </span>
      <div className="thumbs">
        {docs.map((d, i) => (
          <div key={d.id} className="thumb-cell" data-testid={`photo-${kind}`}>
            <Thumb sha256={d.sha256} alt={`${title} ${i + 1}`} onOpen={setViewing} />
            <div className="thumb-actions">
              <button type="button" onClick={() => void rotate(d)} disabled={busy} aria-label={t('filing.photo.rotate')}>
                ⟳
              </button>
              <button type="button" onClick={() => setRemoving(d)} disabled={busy} aria-label={t('filing.photo.remove')}>
                ✕
              </button>
            </div>
          </div>
        ))}
      </div>
      <PhotoButtons name={kind} busy={busy} primary onFiles={add} />
      {error && (
        <p className="error" role="alert" data-testid={`error-${id}`}>
          {error}
        </p>
      )}
      <PhotoViewer url={viewing} label={title} onClose={() => setViewing(null)} />
      <ConfirmDialog
        open={removing !== null}
        title={t('filing.photo.removeTitle')}
        message={<p>{t('filing.photo.removeText', { name: title })}</p>}
        confirmLabel={t('filing.photo.remove')}
        danger
        onConfirm={() => {
          const d = removing!;
          setRemoving(null);
          void removePhoto(filingId, d.id);
        }}
        onCancel={() => setRemoving(null)}
      >
        {removing && <Thumb sha256={removing.sha256} alt={title} />}
      </ConfirmDialog>
    </div>
  );
}
