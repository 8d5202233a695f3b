// Reads argon2 hashes in the PHC string format (https://github.com/P-H-C/phc-string-format):
// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, salt and hash in unpadded standard base64.
// The argon2 package parses these with a general PHC parser built on regular expressions,
// which took a tenth of the server's own CPU per login; this reads only the argon2 shapes.

export interface Argon2Digest {
  type: 'argon2d' | 'argon2i' | 'argon2id';
  version: number;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
  salt: Buffer;
  hash: Buffer;
}

const TYPES = new Set(['argon2d', 'argon2i', 'argon2id']);
const DECIMAL = /^(0|[1-9][0-9]{0,9})$/;
const BASE64 = /^[A-Za-z0-9+/]+$/;

function decimal(text: string | undefined): number | undefined {
  return text !== undefined && DECIMAL.test(text) ? Number(text) : undefined;
}

/**
 * The parts of an argon2 PHC string, or undefined for anything else (other algorithms, extra
 * parameters such as associated data, malformed fields): callers fall back to the library.
 */
export function parseArgon2Digest(digest: string): Argon2Digest | undefined {
  const fields = digest.split('$');
  // ['', id, 'v=19', params, salt, hash]; the version field is optional (then 0x10).
  if (fields[0] !== '' || (fields.length !== 5 && fields.length !== 6)) return undefined;
  const type = fields[1];
  if (!TYPES.has(type)) return undefined;
  let version = 0x10;
  if (fields.length === 6) {
    const v = fields[2].startsWith('v=') ? decimal(fields[2].slice(2)) : undefined;
    if (v === undefined) return undefined;
    version = v;
  }
  const [params, salt, hash] = fields.slice(-3);
  const values = new Map<string, string>();
  for (const pair of params.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || values.has(pair.slice(0, eq))) return undefined;
    values.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  const memoryCost = decimal(values.get('m'));
  const timeCost = decimal(values.get('t'));
  const parallelism = decimal(values.get('p'));
  if (values.size !== 3 || memoryCost === undefined || timeCost === undefined || parallelism === undefined) return undefined;
  if (!BASE64.test(salt) || !BASE64.test(hash)) return undefined;
  return {
    type: type as Argon2Digest['type'],
    version,
    memoryCost,
    timeCost,
    parallelism,
    salt: Buffer.from(salt, 'base64'),
    hash: Buffer.from(hash, 'base64'),
  };
}
