import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The server serves client/dist: index.html for app routes and /assets/* for the bundle.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // One HTML, one JS, one CSS for the first view: no chunks, no preload polyfill.
    cssCodeSplit: false,
    modulePreload: false,
    rolldownOptions: { output: { codeSplitting: false } },
  },
  // `vite` or `vite preview` (with --config client/vite.config.ts) in front of a running server.
  // The Host header is kept so the server's same-origin check sees the page's own origin.
  server: { proxy: { '/api': { target: process.env.BLUETWIT_API ?? 'http://localhost:3000', changeOrigin: false } } },
});
