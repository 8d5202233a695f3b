// Reads a JSON request body with a size limit, mapping failures to Matrix errors.
import type { IncomingMessage } from 'node:http';
import { Errors } from '@parley/spec';

function tooLarge(req: IncomingMessage, limit: number): Error {
  req.resume();
  return Errors.tooLarge(`Request body exceeds ${limit} bytes`);
}

export async function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(req, limit);
  if (req.readableEnded) return Buffer.alloc(0);
  // Listeners rather than `for await`: an async iterator costs a generator and a promise per chunk.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      settled = true;
      reject(tooLarge(req, limit));
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.on('error', (err) => {
      if (settled) return;
      settled = true;
      reject(err);
    });
    req.on('close', () => {
      if (settled) return;
      settled = true;
      reject(new Error('request closed before its body ended'));
    });
  });
}

/** An empty body counts as `{}`; anything else must be a JSON object. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const raw = await readRawBody(req, limit);
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw Errors.notJson('Content not JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw Errors.notJson('Request body must be a JSON object.');
  }
  return parsed;
}
