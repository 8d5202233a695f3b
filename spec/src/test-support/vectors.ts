// Test-only: loads the shared spec vectors, resolved relative to this file so that the
// repository works wherever it is cloned (with `shared/` beside it).
import { readFileSync } from 'node:fs';

const VECTORS = new URL('../../../../shared/spec-data/vectors/', import.meta.url);

export function loadVectors<T = any>(file: string): T {
  return JSON.parse(readFileSync(new URL(file, VECTORS), 'utf8')) as T;
}

export function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
