import { describe, expect, it } from 'vitest';
import type { RoomEvent } from './events.js';
import { authChain, authDifference } from './auth-chain.js';

const events = new Map<string, RoomEvent>();
const add = (id: string, auth: string[]) => events.set(id, { event_id: id, auth_events: auth } as unknown as RoomEvent);
add('$A', []);
add('$B', ['$A']);
add('$C', ['$B', '$A']);
add('$D', ['$B']);
add('$E', ['$C', '$missing']);
const fetch = (id: string) => events.get(id);

describe('auth chain', () => {
  it('is every auth event reachable, excluding the event itself', () => {
    expect([...authChain('$E', fetch)].sort()).toEqual(['$A', '$B', '$C', '$missing']);
    expect([...authChain('$A', fetch)]).toEqual([]);
  });
});

describe('auth difference', () => {
  it('is the union of the full auth chains minus their intersection', () => {
    expect([...authDifference([['$E'], ['$D']], fetch)].sort()).toEqual(['$C', '$missing']);
    expect([...authDifference([['$C'], ['$C']], fetch)]).toEqual([]);
  });
});
