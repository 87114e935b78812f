import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { maskId } from '../../../model/idcard.ts';

/** An ID number masked (`141130********4913`) until tapped, then whole until tapped again. */
export function MaskedId({ id, testId = 'masked-id' }: { id: string; testId?: string }) {
  const { t } = useTranslation();
  const [shown, setShown] = useState(false);
  return (
    <span className="masked-id">
      <span className="mono" data-testid={testId}>
        {shown ? id : maskId(id)}
      </span>{' '}
      <button type="button" className="link small" onClick={() => setShown(!shown)} aria-pressed={shown} data-testid={`${testId}-toggle`}>
        {shown ? t('profileMask.hide') : t('profileMask.show')}
      </button>
    </span>
  );
}
