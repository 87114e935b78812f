import { useTranslation } from 'react-i18next';

/** Says that unsaved input from last time was restored, with a way to throw it away. */
export function DraftBanner({ restored, onDiscard }: { restored: boolean; onDiscard: () => void }) {
  const { t } = useTranslation();
  if (!restored) return null;
  return (
    <p className="banner info" data-testid="draft-restored">
      {t('forms.draftRestored')}{' '}
      <button type="button" onClick={onDiscard}>
        {t('forms.discardDraft')}
      </button>
    </p>
  );
}
