// ApiRouter builds a path prefix's routes on its first request: binding stays cheap at start-up,
// and what is bound before or after that first request answers the same.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { defineEndpoint } from '@parley/spec';
import { ApiRouter } from './router.js';

const endpoint = (method: 'GET' | 'PUT', path: string) =>
  defineEndpoint({ operationId: `test${method}${path}`, method, path, auth: 'none', rateLimited: false, summary: 'test', section: 'test' });

function newRouter(): ApiRouter {
  return new ApiRouter({
    authenticator: { authenticate: async () => Promise.reject(new Error('no auth in this test')) },
    rateLimiter: { check: async () => {} },
    maxBodyBytes: 1024,
    validateResponses: false,
  });
}

let server: Server | undefined;
afterEach(() => server?.close());

async function serve(router: ApiRouter): Promise<string> {
  const app = new Koa();
  app.use(router.routes());
  server = createServer(app.callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('ApiRouter', () => {
  it('answers routes bound before and after the first request to their prefix, and matches by method', async () => {
    const router = newRouter();
    router.bind(endpoint('GET', '/_matrix/client/v3/rooms/{roomId}/state'), async ({ ctx }) => ({ room: ctx.params.roomId }));
    const url = await serve(router);

    const first = await fetch(`${url}/_matrix/client/v3/rooms/!a%3Ahs/state`);
    expect(await first.json()).toEqual({ room: '!a:hs' });

    // Same prefix, bound after that prefix answered its first request.
    router.bind(endpoint('PUT', '/_matrix/client/v3/rooms/{roomId}/state'), async () => ({ put: true }));
    router.bind(endpoint('GET', '/_matrix/client/v3/rooms/{roomId}/members'), async () => ({ members: [] }));
    expect(await (await fetch(`${url}/_matrix/client/v3/rooms/!a%3Ahs/state`, { method: 'PUT' })).json()).toEqual({ put: true });
    expect(await (await fetch(`${url}/_matrix/client/v3/rooms/!a%3Ahs/members`)).json()).toEqual({ members: [] });

    expect(router.match('/_matrix/client/v3/rooms/!a:hs/state', 'DELETE')).toEqual({ path: true, route: false });
    expect(router.match('/_matrix/client/v3/rooms/!a:hs/nothing', 'GET')).toEqual({ path: false, route: false });
    expect(router.match('/_matrix/client/v3/unknown/prefix', 'GET')).toEqual({ path: false, route: false });
  });

  it('matches a prefix nobody has requested yet', () => {
    const router = newRouter();
    router.bind(endpoint('GET', '/_matrix/client/v3/profile/{userId}'), async () => ({}));
    expect(router.match('/_matrix/client/v3/profile/@a:hs', 'PUT')).toEqual({ path: true, route: false });
    expect(router.match('/_matrix/client/v3/profile/@a:hs', 'GET')).toEqual({ path: true, route: true });
  });
});
