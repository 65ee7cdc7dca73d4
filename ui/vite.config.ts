// Vite builds the UI into ui/dist, which the Tauri shell embeds at compile time.
// plugin-vue precompiles every SFC template, so the bundle uses Vue's runtime-only build and
// never needs `eval` / `new Function` (the window's CSP forbids both).
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The webview is a recent WebKitGTK / WebView2; no legacy transpilation needed.
    target: 'es2022',
    // One office PC, no network: a single bundle is fine, so silence the size warning.
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
  },
  server: { port: 5173, strictPort: true },
})
