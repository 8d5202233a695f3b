// CSPRNG output drawn a few KiB at a time, as Node's crypto.randomUUID() caches its entropy: each
// call into OpenSSL takes a lock and checks the process id, which costs more than the bytes.
import { randomFillSync } from 'node:crypto';

export class RandomPool {
  private readonly buffer: Buffer;
  private offset: number;

  constructor(size = 4096) {
    this.buffer = Buffer.alloc(size);
    this.offset = size;
  }

  /** `n` fresh random bytes, never handed out twice; their copy in the pool is wiped. */
  take(n: number): Buffer {
    if (n > this.buffer.length) return randomFillSync(Buffer.alloc(n));
    if (this.offset + n > this.buffer.length) {
      randomFillSync(this.buffer);
      this.offset = 0;
    }
    const end = this.offset + n;
    const bytes = Buffer.from(this.buffer.subarray(this.offset, end));
    this.buffer.fill(0, this.offset, end);
    this.offset = end;
    return bytes;
  }
}
