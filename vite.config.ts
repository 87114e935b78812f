import { readFileSync } from 'node:fs';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { defineConfig } from 'vitest/config';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };
// A build tag (CUNYI_BUILD) marks a build apart from another of the same version, e.g. in the update test.
const version = process.env.CUNYI_BUILD ? `${pkg.version}+${process.env.CUNYI_BUILD}` : pkg.version;

export default defineConfig({
  define: { __APP_VERSION__: JSON.stringify(version) },
  plugins: [
    react(),
    VitePWA({
      // Prompt mode: a new version is offered, never forced on a half-filled form.
      registerType: 'prompt',
      injectRegister: false,
      // Our own worker (src/client/pwa/sw.ts): precache and shell as before, plus Background Sync.
      strategies: 'injectManifest',
      srcDir: 'src/client/pwa',
      filename: 'sw.ts',
      injectManifest: {
        // A classic script (the app registers it so, as every browser takes): code shared with the
        // page may load a module lazily, which an ES-format worker would keep as import.meta.
        rollupFormat: 'iife',
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        maximumFileSizeToCacheInBytes: 5 * 1024 * 1024,
      },
      includeAssets: ['favicon.svg', 'icons/*.png', 'icons/*.svg'],
      manifest: {
        name: '村医助手',
        short_name: '村医助手',
        description: '乡村医生的户籍花名册、自付费用估算与代报代办工具',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        theme_color: '#1f6f5c',
        background_color: '#f5f7f6',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
    }),
  ],
  build: { target: 'es2022', sourcemap: true },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 30_000,
  },
});
