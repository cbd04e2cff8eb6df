import { defineConfig } from 'vite'

// The console: vanilla TypeScript in web/, built to dist/console and served by the node at /console.
export default defineConfig({
  root: 'web',
  base: '/console/',
  publicDir: false,
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // the node's Content-Security-Policy allows no inline script
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
})
