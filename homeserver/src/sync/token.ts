// The sync token: one position per stream, so any token stays meaningful across restarts and
// processes. Text form: `s` then the positions joined by `_` in the order of STREAMS; a token from
// an older server with fewer positions reads the missing ones as 0.
import { Errors } from '@parley/spec';

export const STREAMS = ['events', 'accountData', 'receipts', 'toDevice', 'deviceLists', 'presence', 'pushRules', 'notifications', 'typing'] as const;
export type StreamName = (typeof STREAMS)[number];
export type SyncPosition = Record<StreamName, number>;

/** A position with `f` of each stream: a literal, so every position shares one object shape (syncs make many). */
function positionOf(f: (s: StreamName) => number): SyncPosition {
  return {
    events: f('events'),
    accountData: f('accountData'),
    receipts: f('receipts'),
    toDevice: f('toDevice'),
    deviceLists: f('deviceLists'),
    presence: f('presence'),
    pushRules: f('pushRules'),
    notifications: f('notifications'),
    typing: f('typing'),
  };
}

export function zeroPosition(): SyncPosition {
  return positionOf(() => 0);
}

export function encodeSyncToken(pos: SyncPosition): string {
  return 's' + STREAMS.map((s) => pos[s]).join('_');
}

export function parseSyncToken(token: string): SyncPosition {
  const m = /^s(\d+(?:_\d+)*)$/.exec(token);
  if (!m) throw Errors.invalidParam('Invalid sync token');
  const parts = m[1].split('_').map(Number);
  if (parts.some((n) => !Number.isSafeInteger(n))) throw Errors.invalidParam('Invalid sync token');
  return positionOf((s) => parts[STREAMS.indexOf(s)] ?? 0);
}

/** Position-wise maximum (a client never goes backwards, even if it shows us a newer token). */
export function maxPosition(a: SyncPosition, b: SyncPosition): SyncPosition {
  return positionOf((s) => Math.max(a[s], b[s]));
}

export function samePosition(a: SyncPosition, b: SyncPosition): boolean {
  return STREAMS.every((s) => a[s] === b[s]);
}
