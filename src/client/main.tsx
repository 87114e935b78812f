import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './app.css';
import { i18nReady, initI18n } from './i18n/index.ts';
import { applyTextScale } from './features/settings/text-size.ts';
import { Gate } from './profiles/Gate.tsx';
import { requestPersistence } from './pwa/storage.ts';
import { RouterProvider } from './router.tsx';
import { startSyncTriggers } from './sync/engine.ts';

initI18n();
applyTextScale();
// The handle for end-to-end tests and the client benchmark exists in their build only (npm run test:e2e, bench:*).
if (import.meta.env.MODE === 'e2e') void import('./debug.ts').then((m) => m.exposeDebugApi());
void requestPersistence();
startSyncTriggers();

void i18nReady().then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <RouterProvider>
        <Gate>
          <App />
        </Gate>
      </RouterProvider>
    </StrictMode>,
  ),
);
