import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// The app loads the built files from disk (tauri://localhost); no server,
// no CDN, nothing fetched at run time.
export default defineConfig({
  plugins: [vue()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    // WebKitGTK 2.38+ and WebView2 (Chromium) both handle ES2021.
    target: 'es2021',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
  },
})
