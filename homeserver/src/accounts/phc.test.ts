import argon2 from 'argon2';
import { describe, expect, it } from 'vitest';
import { PasswordHasher } from './passwords.js';
import { parseArgon2Digest } from './phc.js';

const SMALL = { memoryCost: 1024, timeCost: 1, parallelism: 1 } as const;

describe('parseArgon2Digest', () => {
  it('reads what the argon2 package writes', async () => {
    const digest = await argon2.hash('pw', { ...SMALL, type: argon2.argon2id });
    const parsed = parseArgon2Digest(digest);
    expect(parsed).toMatchObject({ type: 'argon2id', version: 0x13, memoryCost: 1024, timeCost: 1, parallelism: 1 });
    expect(parsed?.salt.length).toBe(16);
    expect(parsed?.hash.length).toBe(32);
  });

  it('takes a missing version as 0x10 and keeps the parameter values', () => {
    expect(parseArgon2Digest('$argon2i$m=4096,t=3,p=2$c29tZXNhbHQ$aGFzaGhhc2hoYXNo')).toMatchObject({ type: 'argon2i', version: 0x10, memoryCost: 4096, timeCost: 3, parallelism: 2 });
  });

  it.each([
    ['another algorithm', '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA'],
    ['associated data', '$argon2id$v=19$m=1024,t=1,p=1,data=YWQ$c29tZXNhbHQ$aGFzaGhhc2g'],
    ['a missing parameter', '$argon2id$v=19$m=1024,t=1$c29tZXNhbHQ$aGFzaGhhc2g'],
    ['a repeated parameter', '$argon2id$v=19$m=1024,m=1024,t=1$c29tZXNhbHQ$aGFzaGhhc2g'],
    ['a non-decimal cost', '$argon2id$v=19$m=0x400,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2g'],
    ['a bad version field', '$argon2id$ver=19$m=1024,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2g'],
    ['padding or URL-safe base64', '$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ=$aGFz_GhhO2g'],
    ['a missing field', '$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ'],
    ['no leading $', 'argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2g'],
    ['plain text', 'hunter2'],
  ])('refuses %s', (_what, digest) => {
    expect(parseArgon2Digest(digest)).toBeUndefined();
  });
});

describe('PasswordHasher.verify', () => {
  const hasher = new PasswordHasher(SMALL);

  it('accepts the right password and refuses a wrong one', async () => {
    const digest = await hasher.hash('correct horse');
    expect(await hasher.verify(digest, 'correct horse')).toBe(true);
    expect(await hasher.verify(digest, 'correct horsf')).toBe(false);
  });

  it('verifies hashes made with other parameters, versions and types', async () => {
    const variants: Parameters<typeof argon2.hash>[1][] = [
      { ...SMALL, type: argon2.argon2i, version: 0x10 },
      { ...SMALL, type: argon2.argon2d, timeCost: 2, hashLength: 24 },
      { ...SMALL, type: argon2.argon2id, associatedData: Buffer.from('ad') },
    ];
    for (const options of variants) {
      const digest = await argon2.hash('pw', options);
      expect(await hasher.verify(digest, 'pw'), digest).toBe(true);
      expect(await hasher.verify(digest, 'pW'), digest).toBe(false);
    }
  });

  it('refuses a missing or unreadable hash', async () => {
    expect(await hasher.verify(null, 'pw')).toBe(false);
    expect(await hasher.verify('not a hash', 'pw')).toBe(false);
    expect(await hasher.verify('$argon2id$v=19$m=1024,t=1,p=1$c2E$aGFzaGhhc2g', 'pw')).toBe(false);
  });
});
