import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const COMPRESSIBLE = /\.(js|css|html|json|svg|txt)$/;

/**
 * Writes a brotli (.br) and a gzip (.gz) copy beside every text file of the build, at the highest levels: the
 * server sends them as they are (@fastify/static's preCompressed), so no request pays for compression. A copy
 * that would not be smaller is not written.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'hearth-precompress',
    apply: 'build',
    configResolved: (config) => {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle: () => {
      for (const entry of fs.readdirSync(outDir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !COMPRESSIBLE.test(entry.name)) continue;
        const file = path.join(entry.parentPath, entry.name);
        const content = fs.readFileSync(file);
        const copies: Array<[string, Buffer]> = [
          ['.br', brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: content.length } })],
          ['.gz', gzipSync(content, { level: 9 })],
        ];
        for (const [extension, compressed] of copies) if (compressed.length < content.length) fs.writeFileSync(file + extension, compressed);
      }
    },
  };
}

/**
 * What the first screen runs, in one chunk beside the entry instead of a dozen small ones (each a request, and over
 * HTTP/1.1 a connection to open): React, i18next, zod, the SDK and protocol, and the app's modules they need.
 * zod shares it with the module that configures it, so the configuration (no eval, which the page's CSP forbids)
 * runs as soon as zod is loaded, before any chunk builds a schema with it.
 */
const BOOT =
  /[\\/]node_modules[\\/](react|react-dom|scheduler|i18next|react-i18next|zod|void-elements|html-parse-stringify|use-sync-external-store)[\\/]|[\\/]packages[\\/](client|protocol)[\\/]|[\\/]src[\\/]app[\\/](no-eval|client|errors|theme)\.tsx?$|[\\/]src[\\/]i18n[\\/]index\.ts$|vite[\\/]preload-helper|rolldown-runtime/;

/**
 * What the signed-in app's frame (the list, the shell, their helpers and the virtual list) runs, in one chunk
 * fetched with it, instead of a request per shared module. The dialogs and screens these folders open lazily stay
 * chunks of their own.
 */
const SIGNED_IN =
  /[\\/]src[\\/]app[\\/](router|store|snapshots|people)\.tsx?$|[\\/]src[\\/]ui[\\/]|[\\/]src[\\/]features[\\/](shell|sidebar|notifications)[\\/](?!NewConversationDialogs|QuickSwitcher)|[\\/]node_modules[\\/]@tanstack[\\/]/;

export default defineConfig({
  plugins: [react(), precompress()],
  // The SDK and protocol are bundled from their TypeScript sources: no separate build step for the app.
  resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      output: {
        manualChunks: (id) => (BOOT.test(id) ? 'boot' : SIGNED_IN.test(id) ? 'signed-in' : undefined),
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/ws': { target: 'ws://127.0.0.1:8080', ws: true } },
  },
});
