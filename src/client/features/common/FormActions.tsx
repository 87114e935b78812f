import { useTranslation } from 'react-i18next';

/** Save and back, at the foot of every form. */
export function FormActions({ saving = false }: { saving?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="form-actions">
      <button type="submit" className="primary" disabled={saving} data-testid="save">
        {t('common.save')}
      </button>
      <button type="button" onClick={() => window.history.back()}>
        {t('common.back')}
      </button>
    </div>
  );
}
