import { useRouter } from '../../router.tsx';

/** What a form just saved, said on the page it returned to (`?saved=…`). */
export function SavedNotice() {
  const { loc } = useRouter();
  const text = loc.query.get('saved');
  if (!text) return null;
  return (
    <p className="notice" role="status" data-testid="saved-notice">
      {text}
    </p>
  );
}
