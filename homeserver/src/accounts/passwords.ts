// Password hashing with argon2id (OWASP's first recommended setting: m=19 MiB, t=2, p=1; about
// 21-24 ms of CPU per verification on a 2-core machine). Unknown users are verified against a
// dummy hash so a wrong user name costs the same time as a wrong password. The native module
// loads on first use.
import { timingSafeEqual } from 'node:crypto';
import { parseArgon2Digest } from './phc.js';

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const ARGON2_PARAMS: Readonly<Argon2Params> = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

type Argon2 = typeof import('argon2');
let loading: Promise<Argon2> | undefined;
/** Imported once: an import() per call costs a module resolution per login. */
const argon2 = (): Promise<Argon2> => (loading ??= import('argon2').then((m) => m.default));

export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly params: Readonly<Argon2Params> = ARGON2_PARAMS) {}

  async hash(password: string): Promise<string> {
    const a = await argon2();
    return a.hash(password, { ...this.params, type: a.argon2id });
  }

  /** True only if `hash` exists and matches; always spends one verification. */
  async verify(hash: string | null | undefined, password: string): Promise<boolean> {
    const a = await argon2();
    if (!hash) {
      this.dummyHash ??= this.hash('parley-dummy-password');
      await a.verify(await this.dummyHash, password).catch(() => false);
      return false;
    }
    try {
      const digest = parseArgon2Digest(hash);
      if (!digest) return await a.verify(hash, password);
      // What argon2.verify does, without its general PHC parser.
      const computed = await a.hash(password, {
        raw: true,
        type: a[digest.type],
        version: digest.version,
        memoryCost: digest.memoryCost,
        timeCost: digest.timeCost,
        parallelism: digest.parallelism,
        salt: digest.salt,
        hashLength: digest.hash.length,
      });
      return timingSafeEqual(computed, digest.hash);
    } catch {
      return false;
    }
  }
}
