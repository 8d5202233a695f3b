// The app: index.html -> dist/ with hashed assets under dist/assets/.
import { defineConfig } from 'vite';
import { shared } from './vite.shared.js';

export default defineConfig({
  ...shared,
  build: { ...shared.build, outDir: 'dist', emptyOutDir: true, assetsDir: 'assets' },
});
