import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { num } from '../../i18n/index.ts';
import { LanguagePicker } from '../common/LanguagePicker.tsx';
import { Link, useRouter } from '../../router.tsx';
import { loadDemo } from './demo.ts';
import { setFormDirty } from '../../pwa/busy.ts';

/** First run: what the app is, and a demo county to try it with. */
export function Welcome() {
  const { t } = useTranslation();
  const { navigate } = useRouter();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  const start = async () => {
    setError(null);
    setProgress(0);
    setFormDirty('demo-load', true);
    try {
      await loadDemo({}, (done, total) => setProgress(Math.round((done / total) * 100)));
      navigate('/villages', { replace: true });
    } catch (e) {
      setError(t('welcome.demoFailed', { reason: (e as Error).message }));
      setProgress(null);
    } finally {
      setFormDirty('demo-load', false);
    }
  };

  return (
    <section className="page narrow welcome">
      <h1>{t('welcome.title')}</h1>
      <p className="lead">{t('welcome.lead')}</p>
      <ul className="features">
        <li>{t('welcome.f1')}</li>
        <li>{t('welcome.f2')}</li>
        <li>{t('welcome.f3')}</li>
      </ul>
      <div className="card">
        <h2>{t('welcome.demoTitle')}</h2>
        <p>{t('welcome.demoText', { members: num(10_000) })}</p>
        {progress === null ? (
          <button type="button" className="primary big" onClick={() => void start()} data-testid="demo-mode">
            {t('welcome.demoButton')}
          </button>
        ) : (
          <div className="progress" role="progressbar" aria-valuenow={progress} aria-valuemin={0} aria-valuemax={100}>
            <div style={{ width: `${progress}%` }} />
            <span>{t('welcome.loading', { pct: progress })}</span>
          </div>
        )}
        {error && <p className="error">{error}</p>}
      </div>
      <div className="card">
        <h2>{t('welcome.realTitle')}</h2>
        <p>{t('welcome.realText')}</p>
        <Link to="/login" className="button primary" data-testid="go-login">
          {t('login.title')}
        </Link>
      </div>
      <LanguagePicker />
    </section>
  );
}
