// Reading response bodies of other servers: bounded, and parsed only as JSON.
import type { HttpResponse } from './ports.js';

export class ResponseError extends Error {
  override readonly name = 'ResponseError';
}

export async function readBody(res: HttpResponse, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      size += chunk.length;
      if (size > maxBytes) throw new ResponseError(`response larger than ${maxBytes} bytes`);
      chunks.push(chunk);
    }
  } finally {
    res.cancel();
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

export async function readJson(res: HttpResponse, maxBytes: number): Promise<unknown> {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(await readBody(res, maxBytes));
  try {
    return JSON.parse(text);
  } catch {
    throw new ResponseError('response is not JSON');
  }
}
