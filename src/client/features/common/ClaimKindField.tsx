import { useTranslation } from 'react-i18next';
import { Field } from './Field.tsx';

export type ClaimKind = 'inpatient' | 'outpatient-chronic';

/** Inpatient stay or outpatient chronic-disease bill: the two kinds of claim the engine settles. */
export function ClaimKindField({ value, onChange, error }: { value: ClaimKind; onChange: (k: ClaimKind) => void; error?: string | null }) {
  const { t } = useTranslation();
  return (
    <Field id="kind" label={t('estimate.kind')} error={error}>
      <select id="kind" value={value} onChange={(e) => onChange(e.target.value as ClaimKind)}>
        <option value="inpatient">{t('estimate.inpatient')}</option>
        <option value="outpatient-chronic">{t('estimate.outpatient')}</option>
      </select>
    </Field>
  );
}
