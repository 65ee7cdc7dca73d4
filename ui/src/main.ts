// Entry point: Element Plus (zh-CN via ElConfigProvider in App.vue), the theme, and the app.

import { createApp } from 'vue'
import ElementPlus, { ElMessage } from 'element-plus'
import 'element-plus/dist/index.css'
import './styles.css'
import App from './App.vue'

const app = createApp(App)
app.use(ElementPlus)

// A defect must not fail silently on a machine with no developer tools at hand.
app.config.errorHandler = (err) => {
  const text = err instanceof Error ? err.message : String(err)
  ElMessage({ type: 'error', message: `程序内部错误：${text}`, showClose: true, duration: 0 })
}

app.mount('#app')
