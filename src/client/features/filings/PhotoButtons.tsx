import { useTranslation } from 'react-i18next';

/**
 * Take a photo with the camera, or pick some from the files (a filing's documents, a visit's
 * photos); `name` makes the test ids (`camera-<name>`, `pick-<name>`).
 */
export function PhotoButtons({ name, busy, primary = false, onFiles }: { name: string; busy: boolean; primary?: boolean; onFiles: (files: FileList | null) => Promise<void> }) {
  const { t } = useTranslation();
  const take = (e: React.ChangeEvent<HTMLInputElement>) => void onFiles(e.target.files).then(() => (e.target.value = ''));
  return (
    <div className="actions">
      <label className={`button${primary ? ' primary' : ''} file-button`}>
        {t('filing.photo.camera')}
        <input type="file" accept="image/*" capture="environment" onChange={take} disabled={busy} data-testid={`camera-${name}`} />
      </label>
      <label className="button file-button">
        {t('filing.photo.pick')}
        <input type="file" accept="image/*" multiple onChange={take} disabled={busy} data-testid={`pick-${name}`} />
      </label>
      {busy && <span className="muted">{t('filing.photo.working')}</span>}
    </div>
  );
}
