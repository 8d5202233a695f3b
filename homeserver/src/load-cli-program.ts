// Loads the rest of the `parley` command. Run from the bundle (`npm start`, the installed bin),
// that is one CommonJS file, server.cjs (wrapped in a function), compiled with V8's code cache: compiling 3.6 MB of
// JavaScript is a large part of start-up, and on Node 20 ES modules cannot use a code cache.
// Run from tsc's output or the sources (tests), it is a plain import.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

type CliProgram = typeof import('./cli-program.js');

/** When the cache is written (or at exit, if sooner): by then start-up has compiled most of what it runs. */
const SAVE_CACHE_AFTER_MS = 3000;

export async function loadCliProgram(): Promise<CliProgram> {
  const bundled = fileURLToPath(new URL('./server.cjs', import.meta.url));
  if (!existsSync(bundled)) return import('./cli-program.js');
  return loadWithCodeCache(bundled).exports as CliProgram;
}

export interface Loaded {
  exports: unknown;
  /** Whether V8 compiled from the cache, found none for this build, or refused it. */
  cache: 'used' | 'missing' | 'rejected';
}

/** Runs a bundle written as one function expression; its code cache is written `saveAfterMs` later, or at exit, if it had none. */
export function loadWithCodeCache(file: string, saveAfterMs = SAVE_CACHE_AFTER_MS): Loaded {
  const cacheDir = path.join(path.dirname(file), '.code-cache');
  // V8 checks a cache against the source's length only, so the key names the exact build and runtime.
  const { size, mtimeMs } = statSync(file);
  const cacheName = `${path.basename(file)}-${size}-${Math.round(mtimeMs)}-${process.version}-${process.arch}.bin`;
  const cacheFile = path.join(cacheDir, cacheName);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    /* first run of this build */
  }
  // The file is a function expression taking the CommonJS arguments and the bundle's
  // `import.meta.url` and `import.meta.resolve` (see scripts/bundle.mjs).
  const script = new vm.Script(sourceText(readFileSync(file)), {
    filename: file,
    cachedData,
    // The bundle turns import() into require() (scripts/bundle.mjs); should one remain, it still works.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  const resolve = (specifier: string) => {
    throw new Error(`import.meta.resolve(${specifier}) is not available in the bundle`);
  };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file), pathToFileURL(file).href, resolve);
  const cache = !cachedData ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used';
  if (cache !== 'used') {
    let saved = false;
    const save = () => {
      if (!saved) saveCache(script, cacheDir, cacheName);
      saved = true;
    };
    setTimeout(save, saveAfterMs).unref();
    process.once('exit', save);
  }
  return { exports: module.exports, cache };
}

/** Best effort: an install directory the server cannot write to just goes without a cache. */
function saveCache(script: vm.Script, dir: string, name: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    for (const old of readdirSync(dir)) if (old !== name && !old.endsWith('.tmp')) rmSync(path.join(dir, old), { force: true });
    const tmp = path.join(dir, `${name}.${process.pid}.tmp`);
    writeFileSync(tmp, script.createCachedData());
    // rename is atomic: another process starting now reads the old cache or the new one, never half.
    renameSync(tmp, path.join(dir, name));
  } catch {
    /* read-only install */
  }
}

/**
 * The bundle's text. scripts/bundle.mjs makes it ASCII, which reads as Latin-1 straight into a
 * one-byte string: about 15 ms less start-up than decoding 4 MB as UTF-8.
 */
function sourceText(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}
