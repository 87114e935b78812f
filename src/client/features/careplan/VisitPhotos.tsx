import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { addVisitPhoto, dropVisitPhoto, type VisitPhoto } from '../../db/careplan.ts';
import { FilingError } from '../../db/filings.ts';
import { ConfirmDialog } from '../common/ConfirmDialog.tsx';
import { compressPhoto, PhotoError } from '../filings/images.ts';
import { PhotoButtons } from '../filings/PhotoButtons.tsx';
import { PhotoViewer, Thumb } from '../filings/Thumb.tsx';
import '../filings/DocumentsField.css';

/**
 * The optional photos of a household visit (a notice posted, a house's state): taken or picked,
 * compressed and sealed on the tablet by the filing photo pipeline, kept with the visit's draft
 * until it is saved; removing one is asked first.
 */
export function VisitPhotos({ photos, onChange }: { photos: VisitPhoto[]; onChange: (next: VisitPhoto[]) => void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [viewing, setViewing] = useState<string | null>(null);
  const [removing, setRemoving] = useState<VisitPhoto | null>(null);
  const title = t('care.visit.photos');

  const add = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    setBusy(true);
    setError(null);
    const refused: string[] = [];
    let next = photos;
    for (const file of [...files]) {
      const name = file.name || t('filing.photo.unnamed');
      try {
        const ref = await addVisitPhoto(await compressPhoto(file));
        if (next.some((x) => x.sha256 === ref.sha256)) refused.push(t('filing.photo.duplicate', { name }));
        else next = [...next, ref];
      } catch (e) {
        if (e instanceof PhotoError) refused.push(t(`filing.photo.${e.code}`, { name }));
        else if (e instanceof FilingError) refused.push(t(`filing.photo.${e.code === 'too-large' ? 'too-large' : 'not-an-image'}`, { name }));
        else throw e;
      }
    }
    if (next !== photos) onChange(next);
    if (refused.length) setError(refused.join(' '));
    setBusy(false);
  };

  return (
    <fieldset className="card field documents" data-testid="visit-photos">
      <legend>
        {title} <small className="muted">· {t('filing.optional')}</small>
      </legend>
      <div className="thumbs">
        {photos.map((p, i) => (
          <div key={p.sha256} className="thumb-cell" data-testid="visit-photo">
            <Thumb sha256={p.sha256} alt={`${title} ${i + 1}`} onOpen={setViewing} />
            <div className="thumb-actions">
              <button type="button" onClick={() => setRemoving(p)} disabled={busy} aria-label={t('filing.photo.remove')}>
                ✕
              </button>
            </div>
          </div>
        ))}
      </div>
      <PhotoButtons name="visit" busy={busy} onFiles={add} />
      {error && (
        <p className="error" role="alert" data-testid="error-visit-photos">
          {error}
        </p>
      )}
      <PhotoViewer url={viewing} label={title} onClose={() => setViewing(null)} />
      <ConfirmDialog
        open={removing !== null}
        title={t('filing.photo.removeTitle')}
        message={<p>{t('care.visit.removePhoto')}</p>}
        confirmLabel={t('filing.photo.remove')}
        danger
        onConfirm={() => {
          const p = removing!;
          setRemoving(null);
          onChange(photos.filter((x) => x.sha256 !== p.sha256));
          void dropVisitPhoto(p.sha256);
        }}
        onCancel={() => setRemoving(null)}
      >
        {removing && <Thumb sha256={removing.sha256} alt={title} />}
      </ConfirmDialog>
    </fieldset>
  );
}
