import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  // The SDK and protocol are bundled from their TypeScript sources: no separate build step for the app.
  resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      output: {
        // zod and the module that configures it share a chunk, so the configuration (no eval, which the page's CSP
        // forbids) runs as soon as zod is loaded, before any chunk builds a schema with it.
        manualChunks: (id) => (/[\\/]node_modules[\\/]zod[\\/]|[\\/]src[\\/]app[\\/]no-eval\.ts$/.test(id) ? 'zod' : undefined),
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/ws': { target: 'ws://127.0.0.1:8080', ws: true } },
  },
});
