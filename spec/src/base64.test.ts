import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Base64Error, decodeBase64, decodeBase64Url, encodeBase64, encodeBase64Portable, encodeBase64Url, encodeBase64UrlPortable, tryDecodeBase64 } from './base64.js';
import { bytesToHex, hexToBytes, loadVectors } from './test-support/vectors.js';

const vectors = loadVectors('base64.json');
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('base64 vectors', () => {
  it.each<any>(vectors.cases as { input_utf8: string; expected: string }[])('encodes $input_utf8', ({ input_utf8, expected }) => {
    expect(encodeBase64(utf8(input_utf8))).toBe(expected);
    expect(new TextDecoder().decode(decodeBase64(expected))).toBe(input_utf8);
  });

  it.each<any>(vectors.url_safe_cases as { input_hex: string; standard_unpadded: string; url_safe_unpadded: string }[])(
    'url-safe $input_hex',
    (c) => {
      expect(encodeBase64(hexToBytes(c.input_hex))).toBe(c.standard_unpadded);
      expect(encodeBase64Url(hexToBytes(c.input_hex))).toBe(c.url_safe_unpadded);
      expect(bytesToHex(decodeBase64Url(c.url_safe_unpadded))).toBe(c.input_hex);
    },
  );

  it.each<any>(vectors.decode_cases as { input: string; expected_utf8?: string; expected_hex?: string; canonical_reencoding?: string }[])(
    'decodes $input',
    (c) => {
      const bytes = decodeBase64(c.input);
      if (c.expected_utf8 !== undefined) expect(new TextDecoder().decode(bytes)).toBe(c.expected_utf8);
      if (c.expected_hex !== undefined) expect(bytesToHex(bytes)).toBe(c.expected_hex);
      if (c.canonical_reencoding !== undefined) expect(encodeBase64(bytes)).toBe(c.canonical_reencoding);
    },
  );
});

describe('base64', () => {
  it('round-trips any bytes and agrees with Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const buf = Buffer.from(bytes);
        expect(encodeBase64(bytes)).toBe(buf.toString('base64').replace(/=+$/, ''));
        expect(encodeBase64Url(bytes)).toBe(buf.toString('base64url'));
        expect(encodeBase64Portable(bytes)).toBe(encodeBase64(bytes));
        expect(encodeBase64UrlPortable(bytes)).toBe(encodeBase64Url(bytes));
        const offset = new Uint8Array(bytes.length + 3);
        offset.set(bytes, 3);
        expect(encodeBase64(offset.subarray(3))).toBe(encodeBase64(bytes));
        expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
        expect(decodeBase64Url(encodeBase64Url(bytes))).toEqual(bytes);
        expect(decodeBase64(buf.toString('base64'))).toEqual(bytes);
      }),
    );
  });

  it('rejects bad input with a typed error', () => {
    for (const bad of ['a', 'ab!c', 'Zm9v-', 'Zg=', 'é', '====']) expect(() => decodeBase64(bad)).toThrow(Base64Error);
    expect(() => decodeBase64Url('ab+/')).toThrow(Base64Error);
    expect(tryDecodeBase64('a')).toBeUndefined();
  });
});
