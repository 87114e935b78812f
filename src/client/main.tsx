import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './app.css';
import { exposeDebugApi } from './debug.ts';
import { initI18n } from './i18n/index.ts';
import { requestPersistence } from './pwa/storage.ts';
import { RouterProvider } from './router.tsx';
import { startSyncTriggers } from './sync/engine.ts';

initI18n();
exposeDebugApi();
void requestPersistence();
startSyncTriggers();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RouterProvider>
      <App />
    </RouterProvider>
  </StrictMode>,
);
