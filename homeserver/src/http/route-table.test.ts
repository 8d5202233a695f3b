import { describe, expect, it } from 'vitest';
import { RouteTable } from './route-table.js';

function table(): RouteTable<string> {
  const t = new RouteTable<string>();
  t.add('GET', '/_matrix/client/v3/rooms/{roomId}/state/{eventType}', 'state-type');
  t.add('GET', '/_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}', 'state-key');
  t.add('PUT', '/_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}', 'put-state');
  t.add('POST', '/_matrix/client/v3/login', 'login');
  t.add('GET', '/_matrix/client/v3/pushrules/', 'pushrules');
  t.add('GET', '/.well-known/matrix/client', 'well-known');
  return t;
}

describe('RouteTable', () => {
  it('matches by method and path, with percent-decoded parameters', () => {
    expect(table().find('/_matrix/client/v3/rooms/!a%3Ab.c/state/m.room.name/%40u%3Ahs', 'PUT')).toEqual({
      handler: 'put-state',
      params: { roomId: '!a:b.c', eventType: 'm.room.name', stateKey: '@u:hs' },
    });
    expect(table().find('/_matrix/client/v3/login', 'POST')?.handler).toBe('login');
    expect(table().find('/_matrix/client/v3/login', 'GET')).toBeUndefined();
  });

  it('takes a parameter as one segment: an encoded slash stays inside it', () => {
    expect(table().find('/_matrix/client/v3/rooms/!r/state/m.type/a%2Fb', 'GET')).toEqual({
      handler: 'state-key',
      params: { roomId: '!r', eventType: 'm.type', stateKey: 'a/b' },
    });
    expect(table().find('/_matrix/client/v3/rooms/!r/state/m.type/a/b', 'GET')).toBeUndefined();
  });

  it('allows one trailing slash, ignores case, and answers HEAD on GET routes', () => {
    const t = table();
    expect(t.find('/_matrix/client/v3/rooms/!r/state/m.type/', 'GET')?.handler).toBe('state-type');
    expect(t.find('/_matrix/client/v3/rooms/!r/state/m.type//', 'GET')).toBeUndefined();
    expect(t.find('/_matrix/client/v3/pushrules/', 'GET')?.handler).toBe('pushrules');
    expect(t.find('/_matrix/client/v3/pushrules', 'GET')).toBeUndefined();
    expect(t.find('/_matrix/client/v3/rooms/!r/STATE/m.type', 'GET')?.handler).toBe('state-type');
    expect(t.find('/.well-known/matrix/client', 'HEAD')?.handler).toBe('well-known');
    expect(t.find('/.well-known/matrix/clientX', 'GET')).toBeUndefined();
    expect(t.find('/.well-knownXmatrix/client', 'GET')).toBeUndefined();
  });

  it('keeps a malformed escape as it is', () => {
    expect(table().find('/_matrix/client/v3/rooms/%E0%A4%A/state/t', 'GET')?.params.roomId).toBe('%E0%A4%A');
  });

  it('tells a path without the method (405) from an unknown path (404)', () => {
    const t = table();
    expect(t.match('/_matrix/client/v3/login', 'GET')).toEqual({ path: true, route: false });
    expect(t.match('/_matrix/client/v3/login', 'POST')).toEqual({ path: true, route: true });
    expect(t.match('/_matrix/client/v3/logout', 'POST')).toEqual({ path: false, route: false });
  });
});
