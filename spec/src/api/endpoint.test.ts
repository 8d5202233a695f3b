import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { z } from 'zod';
import { defineEndpoint, lazy, type BodyOf, type Endpoint, type ParamsOf, type QueryOf, type ResponseOf } from './endpoint.js';

function define(schemas: () => { params: z.ZodObject<{ roomId: z.ZodString }>; body: z.ZodObject<{ name: z.ZodString }> }) {
  return defineEndpoint({
    operationId: 'test', method: 'PUT', path: '/_matrix/client/v3/rooms/{roomId}/test', auth: 'user', rateLimited: false,
    summary: 'A test endpoint.', section: 'Tests',
    schemas,
  });
}

describe('defineEndpoint', () => {
  it('builds the schemas on the first read of one of them, once', () => {
    const schemas = vi.fn(() => ({ params: z.object({ roomId: z.string() }), body: z.object({ name: z.string() }) }));
    const endpoint = define(schemas);
    expect(endpoint.method).toBe('PUT');
    expect(endpoint.path).toBe('/_matrix/client/v3/rooms/{roomId}/test');
    expect(endpoint.auth).toBe('user');
    expect(schemas).not.toHaveBeenCalled();

    const body = endpoint.body;
    expect(schemas).toHaveBeenCalledTimes(1);
    expect(body.parse({ name: 'x' })).toEqual({ name: 'x' });
    expect(endpoint.body).toBe(body);
    expect(endpoint.params.parse({ roomId: '!r' })).toEqual({ roomId: '!r' });
    expect(endpoint.params).toBe(endpoint.params);
    expect(schemas).toHaveBeenCalledTimes(1);
  });

  it('reads a schema the definition does not give as undefined', () => {
    const schemas = vi.fn(() => ({ params: z.object({ roomId: z.string() }), body: z.object({ name: z.string() }) }));
    const endpoint: Endpoint = define(schemas);
    expect(endpoint.query).toBeUndefined();
    expect(endpoint.response).toBeUndefined();
    expect(schemas).toHaveBeenCalledTimes(1);
  });

  it('keeps the schemas enumerable, and an endpoint without schemas has none', () => {
    const endpoint = define(() => ({ params: z.object({ roomId: z.string() }), body: z.object({ name: z.string() }) }));
    expect(Object.keys(endpoint)).toEqual(expect.arrayContaining(['operationId', 'method', 'path', 'params', 'query', 'body', 'response']));
    expect(Object.keys(endpoint)).not.toContain('schemas');
    const plain: Endpoint = defineEndpoint({ operationId: 'plain', method: 'GET', path: '/p', auth: 'none', rateLimited: false, summary: 's', section: 'Tests' });
    expect(plain.body).toBeUndefined();
    expect('body' in plain).toBe(false);
  });

  it('infers the types of the schemas', () => {
    const endpoint = define(() => ({ params: z.object({ roomId: z.string() }), body: z.object({ name: z.string() }) }));
    expectTypeOf<ParamsOf<typeof endpoint>>().toEqualTypeOf<{ roomId: string }>();
    expectTypeOf<BodyOf<typeof endpoint>>().toEqualTypeOf<{ name: string }>();
    expectTypeOf<QueryOf<typeof endpoint>>().toEqualTypeOf<Record<string, never>>();
    expectTypeOf<ResponseOf<typeof endpoint>>().toEqualTypeOf<unknown>();
    expectTypeOf(endpoint.auth).toEqualTypeOf<'user'>();
  });
});

describe('lazy', () => {
  it('builds the value on the first call, once', () => {
    const build = vi.fn(() => z.string());
    const schema = lazy(build);
    expect(build).not.toHaveBeenCalled();
    const first = schema();
    expect(schema()).toBe(first);
    expect(build).toHaveBeenCalledTimes(1);
  });
});
