// Event signing and verification against raw node:crypto ed25519 on the same canonical bytes.
// Targets: hash + sign ≥ 0.7× raw sign; verify (signature + content hash) ≥ 0.7× raw verify.
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import {
  canonicalJsonBytes,
  decodeBase64,
  hashAndSignEvent,
  publicKeyOf,
  redactedSignedBytes,
  ROOM_VERSIONS,
  verifyEventHashesAndSignatures,
  type JsonObject,
} from '@parley/spec';
import { nodeCrypto } from '@parley/spec/crypto-node';
import { compare, fmt } from './spec-bench-support.js';

const rv = ROOM_VERSIONS['11'];
const seed = decodeBase64('YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1');
const publicKey = publicKeyOf(seed, nodeCrypto);
const lookup = () => publicKey;

const event: JsonObject = {
  room_id: '!jEsUZKDJdhlrceRyVU:example.org',
  sender: '@alice:example.org',
  origin_server_ts: 1_700_000_123_456,
  type: 'm.room.message',
  content: {
    msgtype: 'm.text',
    body: 'Hello everyone, the build is green again. Shall we ship the release this afternoon? 🚀',
    'm.mentions': { user_ids: ['@bob:example.org'] },
  },
  prev_events: ['$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg'],
  auth_events: [
    '$CD66HAED5npg6074c6pDtLKalHjVfYb2q4Q3LZgrW6o',
    '$acR1l0raoZnm60CBwAVgqbZqoO_mYU81xysh1u7XcJk',
    '$8yif6p8EqgoSten2BLje9ntKm720NyFLWQv9tn8memc',
  ],
  depth: 4217,
  hashes: {},
  signatures: {},
  unsigned: { age_ts: 1_700_000_123_456 },
};

// Baselines: raw ed25519 over the same canonical bytes (the ones our signature covers).
const signed = hashAndSignEvent(event, rv, 'example.org', 'ed25519:a_bcde', seed, nodeCrypto);
const bytes = redactedSignedBytes(signed, rv);
const rawBytes = canonicalJsonBytes(event);
const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
const publicKeyObject = createPublicKey(privateKey);
const rawSignature = sign(null, bytes, privateKey);

const check = verifyEventHashesAndSignatures(signed, rv, lookup, nodeCrypto);
if (!(check.ok && check.contentHashValid)) throw new Error('benchmark event does not verify');

console.log(`event: ${rawBytes.length} bytes canonical, ${bytes.length} bytes signed (redacted)`);
let failed = false;
const report = (name: string, r: ReturnType<typeof compare>, target: number) => {
  const ok = r.ratio >= target;
  failed ||= !ok;
  console.log(
    `${name.padEnd(28)} ${fmt(r.candidate).padStart(8)}/s   raw ${fmt(r.baseline).padStart(8)}/s   ratio ${r.ratio.toFixed(2)}× (target ≥ ${target}×) ${ok ? 'ok' : 'MISSED'}`,
  );
};

report(
  'hash + sign event',
  compare(
    () => hashAndSignEvent(event, rv, 'example.org', 'ed25519:a_bcde', seed, nodeCrypto),
    () => sign(null, bytes, privateKey),
  ),
  0.7,
);
report(
  'verify signature + hash',
  compare(
    () => verifyEventHashesAndSignatures(signed, rv, lookup, nodeCrypto),
    () => verify(null, bytes, publicKeyObject, rawSignature),
  ),
  0.7,
);
process.exit(failed ? 1 : 0);
