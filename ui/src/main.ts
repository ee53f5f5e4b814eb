import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/dist/index.css'
import './style.css'
import App from './App.vue'
import { i18n, savedLocale } from './i18n'
import { api } from './api'
import { makeRouter } from './router'

document.documentElement.lang = savedLocale()
const app = createApp(App)
app.use(createPinia())
app.use(makeRouter())
app.use(i18n)
app.config.errorHandler = (err) => {
  // Technical text only: never form contents.
  const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  void api.logUi('error', msg).catch(() => {})
  console.error(err)
}
app.mount('#app')
