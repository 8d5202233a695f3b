import { describe, expect, it } from 'vitest';
import { encodeSyncToken, maxPosition, parseSyncToken, samePosition, STREAMS, zeroPosition } from './token.js';

describe('sync token', () => {
  it('round-trips every stream position in STREAMS order', () => {
    const pos = zeroPosition();
    STREAMS.forEach((s, i) => (pos[s] = (i + 1) * 10));
    const token = encodeSyncToken(pos);
    expect(token).toBe('s10_20_30_40_50_60_70_80_90');
    expect(parseSyncToken(token)).toEqual(pos);
  });

  it('reads the streams an older token lacks as 0', () => {
    expect(parseSyncToken('s5_6')).toEqual({ ...zeroPosition(), events: 5, accountData: 6 });
  });

  it.each(['', 's', 'x1_2', 's1__2', 's1_-2', 's1_2a', `s${'9'.repeat(20)}`])('refuses %j with M_INVALID_PARAM', (token) => {
    expect(() => parseSyncToken(token)).toThrow(expect.objectContaining({ errcode: 'M_INVALID_PARAM' }));
  });

  it('takes the position-wise maximum', () => {
    const a = { ...zeroPosition(), events: 9, typing: 1 };
    const b = { ...zeroPosition(), events: 3, receipts: 4 };
    const m = maxPosition(a, b);
    expect(m).toEqual({ ...zeroPosition(), events: 9, typing: 1, receipts: 4 });
    expect(samePosition(m, maxPosition(b, a))).toBe(true);
    expect(Object.keys(m)).toEqual([...STREAMS]);
  });
});
