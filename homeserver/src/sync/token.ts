// The sync token: one position per stream, so any token stays meaningful across restarts and
// processes. Text form: `s` then the positions joined by `_` in the order of STREAMS; a token from
// an older server with fewer positions reads the missing ones as 0.
import { Errors } from '@parley/spec';

export const STREAMS = ['events', 'accountData', 'receipts', 'toDevice', 'deviceLists', 'presence', 'pushRules', 'notifications', 'typing'] as const;
export type StreamName = (typeof STREAMS)[number];
export type SyncPosition = Record<StreamName, number>;

export function zeroPosition(): SyncPosition {
  return Object.fromEntries(STREAMS.map((s) => [s, 0])) as SyncPosition;
}

export function encodeSyncToken(pos: SyncPosition): string {
  return 's' + STREAMS.map((s) => pos[s]).join('_');
}

export function parseSyncToken(token: string): SyncPosition {
  const m = /^s(\d+(?:_\d+)*)$/.exec(token);
  if (!m) throw Errors.invalidParam('Invalid sync token');
  const parts = m[1].split('_').map(Number);
  const pos = zeroPosition();
  STREAMS.forEach((s, i) => (pos[s] = parts[i] ?? 0));
  if (parts.some((n) => !Number.isSafeInteger(n))) throw Errors.invalidParam('Invalid sync token');
  return pos;
}

/** Position-wise maximum (a client never goes backwards, even if it shows us a newer token). */
export function maxPosition(a: SyncPosition, b: SyncPosition): SyncPosition {
  return Object.fromEntries(STREAMS.map((s) => [s, Math.max(a[s], b[s])])) as SyncPosition;
}

export function samePosition(a: SyncPosition, b: SyncPosition): boolean {
  return STREAMS.every((s) => a[s] === b[s]);
}
