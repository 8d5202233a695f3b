// The embeddable ES modules, each one self-contained file with a stable name for
// <script type="module" src>: `--mode room` builds dist/lib/parley-room.js (just <parley-room>),
// `--mode elements` builds dist/lib/parley-elements.js (every element and the client).
import { defineConfig } from 'vite';
import { shared } from './vite.shared.js';

const entries: Record<string, string> = { room: 'src/embed.ts', elements: 'src/index.ts' };

export default defineConfig(({ mode }) => ({
  ...shared,
  build: {
    ...shared.build,
    outDir: 'dist/lib',
    emptyOutDir: false,
    copyPublicDir: false,
    lib: { entry: entries[mode] ?? entries.room, formats: ['es'], fileName: () => `parley-${mode}.js` },
    rollupOptions: { output: { codeSplitting: false, minify: true } },
  },
}));
