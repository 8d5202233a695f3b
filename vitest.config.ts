import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Workspace packages export a "source" condition pointing at their TypeScript,
// so tests run against src/ without a build step.
const conditions = ['source', ...defaultServerConditions];
const resolve = { conditions };
const ssr = { resolve: { conditions, externalConditions: ['source'] } };

export default defineConfig({
  resolve,
  ssr,
  test: {
    projects: [
      {
        resolve,
        ssr,
        test: {
          name: 'unit',
          include: ['{spec,federation,homeserver,sfu,client-lit,migrations}/src/**/*.test.ts', 'test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        resolve,
        ssr,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: run two files at a time, each against its own database.
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
      {
        resolve,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          // Builds client-lit/dist first if it is missing or older than the client's sources.
          globalSetup: ['test/support/global-setup.ts', 'test/browser/support/build-client.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // One Chromium at a time on two cores.
          maxWorkers: 1,
          fileParallelism: false,
        },
      },
    ],
  },
});
