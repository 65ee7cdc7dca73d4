// Entry point: Element Plus's styles, the theme, and the app. Element Plus's components come
// with the views that use them (see vite.config.ts; zh-CN via ElConfigProvider in App.vue).

import { createApp } from 'vue'
import { ElMessage } from 'element-plus'
// Chinese month names and weeks starting on Monday in Element's date pickers.
import 'dayjs/locale/zh-cn'
import 'element-plus/dist/index.css'
import './styles.css'
import App from './App.vue'
import { isApiError } from './api'

const app = createApp(App)

// A defect must not fail silently on a machine with no developer tools at hand.
function report(err: unknown): void {
  if (isApiError(err)) {
    ElMessage({ type: 'error', message: err.message, showClose: true, duration: 6000 })
    return
  }
  const text = err instanceof Error ? err.message : String(err)
  ElMessage({ type: 'error', message: `程序内部错误：${text}`, showClose: true, duration: 0 })
}
app.config.errorHandler = report
window.addEventListener('unhandledrejection', (e) => report(e.reason))

app.mount('#app')
