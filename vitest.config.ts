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
          // Projects run one after another (unit, integration, browser) so they never fight for the two cores.
          sequence: { groupOrder: 0 },
          include: ['{spec,federation,homeserver,sfu,client-lit,migrations}/src/**/*.test.ts', 'test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        resolve,
        ssr,
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
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
        ssr,
        test: {
          name: 'browser',
          sequence: { groupOrder: 2 },
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
