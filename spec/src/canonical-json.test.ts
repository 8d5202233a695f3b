import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJsonBytes, CanonicalJsonError, compareCodePoints, encodeCanonicalJson, tryEncodeCanonicalJson, utf8Length } from './canonical-json.js';
import { bytesToHex, loadVectors } from './test-support/vectors.js';

const vectors = loadVectors('canonical-json.json');

describe('canonical JSON vectors', () => {
  it.each<any>(vectors.cases.map((c: any, i: number) => [i, c]))('case %i', (_i, c: any) => {
    const value = JSON.parse(c.input ?? c.input_json);
    expect(encodeCanonicalJson(value)).toBe(c.expected);
    expect(bytesToHex(canonicalJsonBytes(value))).toBe(c.expected_utf8_hex);
  });

  it.each<any>(vectors.invalid_values.map((c: any) => [c.value_json, c.reason]))('rejects %s (%s)', (json) => {
    expect(() => encodeCanonicalJson(JSON.parse(json as string))).toThrow(CanonicalJsonError);
    expect(tryEncodeCanonicalJson(JSON.parse(json as string)).ok).toBe(false);
  });
});

/** Shuffles the keys of every object, recursively. */
function reorder(value: unknown, pick: (n: number) => number): unknown {
  if (Array.isArray(value)) return value.map((v) => reorder(v, pick));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const out: Record<string, unknown> = {};
  while (entries.length > 0) {
    const [k, v] = entries.splice(pick(entries.length), 1)[0];
    // defineProperty, not assignment: a "__proto__" key must stay an own key.
    Object.defineProperty(out, k, { value: reorder(v, pick), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const jsonValue = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const canonicalValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.string({ unit: 'grapheme' }),
    fc.array(tie('value')),
    fc.dictionary(fc.string({ unit: 'grapheme' }), tie('value')),
  ),
})).value;

describe('canonical JSON properties', () => {
  it('is stable under key reordering', () => {
    fc.assert(
      fc.property(canonicalValue, fc.infiniteStream(fc.nat()), (value, stream) => {
        const it = stream[Symbol.iterator]();
        const shuffled = reorder(value, (n) => it.next().value % n);
        expect(encodeCanonicalJson(shuffled)).toBe(encodeCanonicalJson(value));
      }),
    );
  });

  it('parses back to the same value, and is its own canonical form', () => {
    fc.assert(
      fc.property(canonicalValue, (value) => {
        const text = encodeCanonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(encodeCanonicalJson(JSON.parse(text))).toBe(text);
        expect(canonicalJsonBytes(value).length).toBe(utf8Length(text));
      }),
    );
  });

  it('sorts keys in UTF-8 byte order', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const bytes = (s: string) => Buffer.from(s, 'utf8');
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(Buffer.compare(bytes(a), bytes(b))));
      }),
    );
  });

  it('never throws an untyped error on parsed JSON', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const result = tryEncodeCanonicalJson(value);
        if (!result.ok) expect(typeof result.reason).toBe('string');
      }),
    );
  });
});

describe('canonical JSON edge cases', () => {
  it('keeps a "__proto__" key parsed from JSON as an ordinary key', () => {
    const value = JSON.parse('{"b":1,"__proto__":{"x":2},"a":3}');
    expect(encodeCanonicalJson(value)).toBe('{"__proto__":{"x":2},"a":3,"b":1}');
  });

  it('rejects values JSON cannot carry', () => {
    for (const bad of [{ a: NaN }, { a: Infinity }, { a: 1n }, { a: () => 1 }, [undefined], new Date(0), { a: new Uint8Array(1) }, '\ud800']) {
      expect(() => encodeCanonicalJson(bad)).toThrow(CanonicalJsonError);
    }
  });

  it('turns deep nesting into a typed error', () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(() => encodeCanonicalJson(deep)).toThrow(CanonicalJsonError);
  });

  it('skips undefined properties and accepts null-prototype objects', () => {
    const o = Object.assign(Object.create(null), { b: 1, a: undefined });
    expect(encodeCanonicalJson(o)).toBe('{"b":1}');
  });

  it('encodes non-compliant numbers only when not strict (room versions 1–5)', () => {
    const lenient = { strict: false };
    expect(encodeCanonicalJson({ a: 50.5, b: 2 ** 60, c: 1e21 }, lenient)).toBe('{"a":50.5,"b":1152921504606846976,"c":1000000000000000000000}');
    expect(() => encodeCanonicalJson({ a: 50.5 })).toThrow(CanonicalJsonError);
    expect(() => encodeCanonicalJson({ a: NaN }, lenient)).toThrow(CanonicalJsonError);
  });
});
