import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MatrixError } from '@parley/spec';
import { readJsonBody } from './body.js';

const LIMIT = 64;
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    readJsonBody(req, LIMIT).then(
      (body) => res.end(JSON.stringify({ body })),
      (err: unknown) => {
        res.statusCode = err instanceof MatrixError ? err.status : 500;
        res.end(JSON.stringify({ errcode: err instanceof MatrixError ? err.errcode : String(err) }));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Sends the chunks with a pause between them (so the later ones arrive after the handler ran). */
function send(chunks: string[], headers: Record<string, string> = {}): Promise<{ status: number; json: { body?: unknown; errcode?: string } }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, method: 'POST', headers }, (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    const next = (i: number) => {
      if (i >= chunks.length - 1) return void req.end(chunks[i]);
      req.write(chunks[i]);
      setTimeout(() => next(i + 1), 20);
    };
    next(0);
  });
}

describe('readJsonBody', () => {
  it('reads a body sent with the headers', async () => {
    const text = JSON.stringify({ a: 1, b: 'two' });
    expect(await send([text], { 'Content-Length': String(text.length) })).toEqual({ status: 200, json: { body: { a: 1, b: 'two' } } });
  });

  it('reads a body that arrives in several chunks after the headers', async () => {
    expect(await send(['{"a":', '[1,2', ',3]}'])).toEqual({ status: 200, json: { body: { a: [1, 2, 3] } } });
  });

  it('takes an empty body as {}', async () => {
    expect(await send([], { 'Content-Length': '0' })).toEqual({ status: 200, json: { body: {} } });
  });

  it('refuses a declared length over the limit before reading', async () => {
    const text = JSON.stringify({ a: 'x'.repeat(LIMIT) });
    expect(await send([text], { 'Content-Length': String(text.length) })).toMatchObject({ status: 413, json: { errcode: 'M_TOO_LARGE' } });
  });

  it('refuses a chunked body that grows over the limit', async () => {
    expect(await send(['{"a":"', 'x'.repeat(40), 'y'.repeat(40), '"}'])).toMatchObject({ status: 413, json: { errcode: 'M_TOO_LARGE' } });
  });

  it('refuses what is not a JSON object', async () => {
    expect(await send(['[1,2]'])).toMatchObject({ status: 400, json: { errcode: 'M_NOT_JSON' } });
    expect(await send(['{"a":'])).toMatchObject({ status: 400, json: { errcode: 'M_NOT_JSON' } });
  });
});
