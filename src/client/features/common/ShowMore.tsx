import { useTranslation } from 'react-i18next';
import { num } from '../../i18n/index.ts';

/** "Show N more" under a long list, while rows are left. */
export function ShowMore({ total, shown, page, onMore }: { total: number; shown: number; page: number; onMore: () => void }) {
  const { t } = useTranslation();
  if (total <= shown) return null;
  return (
    <button type="button" className="more" onClick={onMore}>
      {t('common.showMore', { n: num(Math.min(page, total - shown)) })}
    </button>
  );
}
