// Settings both builds share: resolve @parley/spec from its TypeScript source.
import { defaultClientConditions, type UserConfig } from 'vite';

export const shared: UserConfig = {
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: { target: 'es2022', reportCompressedSize: true },
};
