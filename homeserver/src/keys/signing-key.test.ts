import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateSigningKey } from './signing-key.js';

describe('loadOrCreateSigningKey', () => {
  it('generates key ids whose version matches [a-zA-Z0-9_] (spec: publishing keys)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-key-'));
    try {
      for (let i = 0; i < 50; i++) {
        const { key, created } = loadOrCreateSigningKey(path.join(dir, `k${i}`));
        expect(created).toBe(true);
        expect(key.keyId).toMatch(/^ed25519:[a-zA-Z0-9_]+$/);
        expect(loadOrCreateSigningKey(path.join(dir, `k${i}`)).key.publicKeyBase64).toBe(key.publicKeyBase64);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
