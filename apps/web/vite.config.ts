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

const LOCALE_FILE = /[\\/]src[\\/]i18n[\\/]locales[\\/](\w+)[\\/](\w+)\.json$/;

/**
 * One chunk per language for the texts of the signed-in app, and one for those of the sign-in screens (English's
 * are in the entry): a file per feature and language is how they are written, not how they should be fetched.
 * Keep in step with FIRST_SCREEN in src/i18n/index.ts.
 */
function textsChunk(id: string): string | undefined {
  const [, language, feature] = LOCALE_FILE.exec(id) ?? [];
  if (!language || !feature) return undefined;
  if (feature !== 'auth' && feature !== 'common') return `texts-${language}`;
  return language === 'en' ? undefined : `texts-${language}-sign-in`;
}

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
        manualChunks: (id) => (BOOT.test(id) ? 'boot' : textsChunk(id)),
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/ws': { target: 'ws://127.0.0.1:8080', ws: true } },
  },
});
