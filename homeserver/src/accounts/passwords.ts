// Password hashing with argon2id (OWASP's first recommended setting: m=19 MiB, t=2, p=1;
// ~50 ms per hash on a 2-core machine). Unknown users are verified against a dummy hash so
// a wrong user name costs the same time as a wrong password.
import argon2 from 'argon2';

export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly options: typeof ARGON2_OPTIONS = ARGON2_OPTIONS) {}

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  /** True only if `hash` exists and matches; always spends one verification. */
  async verify(hash: string | null | undefined, password: string): Promise<boolean> {
    if (!hash) {
      this.dummyHash ??= this.hash('parley-dummy-password');
      await argon2.verify(await this.dummyHash, password).catch(() => false);
      return false;
    }
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }
}
