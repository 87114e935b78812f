/// <reference types="vite/client" />
/// <reference types="vite-plugin-pwa/react" />
/// <reference types="vite-plugin-pwa/info" />

declare const __APP_VERSION__: string;

// opencc-js ships types for its core, not for each dictionary module (a string table each).
declare module 'opencc-js/dict/*' {
  const dict: string;
  export default dict;
}
