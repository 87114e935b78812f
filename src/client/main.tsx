import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './app.css';
import { initI18n } from './i18n/index.ts';
import { Gate } from './profiles/Gate.tsx';
import { requestPersistence } from './pwa/storage.ts';
import { RouterProvider } from './router.tsx';
import { startSyncTriggers } from './sync/engine.ts';

initI18n();
// The handle for end-to-end tests and the client benchmark exists in their build only (npm run test:e2e, bench:*).
if (import.meta.env.MODE === 'e2e') void import('./debug.ts').then((m) => m.exposeDebugApi());
void requestPersistence();
startSyncTriggers();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RouterProvider>
      <Gate>
        <App />
      </Gate>
    </RouterProvider>
  </StrictMode>,
);
