// Vite builds the UI into ui/dist, which the Tauri shell embeds at compile time.
// plugin-vue precompiles every SFC template, so the bundle uses Vue's runtime-only build and
// never needs `eval` / `new Function` (the window's CSP forbids both).
import { defineConfig } from 'vite'
import type { Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'
import components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

/**
 * The Tauri window runs with `freezePrototype`: `Object.prototype` is frozen before any script.
 * dayjs (Element Plus's date library) then throws at load time, because it *assigns*
 * `valueOf` and `toString` on its prototype, and assigning a property that is inherited as
 * read-only fails in strict code (the "override mistake"). Rewrite exactly those two
 * assignments as `Object.defineProperty`, and fail the build if dayjs changes shape.
 */
function freezeSafeDayjs(): Plugin {
  const file = /[\\/]node_modules[\\/]dayjs[\\/]dayjs\.min\.js$/
  const assignment = /\b(\w+)\.(valueOf|toString)=(function\(\)\{[^{}]*\})/g
  return {
    name: 'baomi:freeze-safe-dayjs',
    enforce: 'pre',
    transform(code, id) {
      if (!file.test(id)) return null
      let count = 0
      const out = code.replace(assignment, (_m, proto: string, name: string, fn: string) => {
        count += 1
        return `Object.defineProperty(${proto},"${name}",{value:${fn},writable:!0,configurable:!0})`
      })
      if (count !== 2) {
        this.error(`dayjs: expected 2 prototype assignments to rewrite, found ${count}`)
      }
      return { code: out, map: null }
    },
  }
}

export default defineConfig({
  plugins: [
    freezeSafeDayjs(),
    vue(),
    // Each SFC imports the Element Plus components its template uses, instead of the whole
    // library being registered before the first screen: the login screen's chunk carries only
    // what it draws, and the main screen comes as its own chunk after. Their CSS stays one
    // sheet, loaded before ours (src/main.ts), so our overrides of it keep winning.
    components({
      resolvers: [ElementPlusResolver({ importStyle: false, directives: true })],
      dts: false,
    }),
  ],
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The webview is a recent WebKitGTK / WebView2; no legacy transpilation needed.
    target: 'es2022',
    // One office PC, no network: the main screen's chunk is large, so silence the warning.
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
  },
  server: { port: 5173, strictPort: true },
})
