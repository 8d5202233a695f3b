import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildMatrixUri,
  encodeDotSeparatedPath,
  isValidEventIdForVersion,
  isValidNamespacedIdentifier,
  isValidOpaqueIdentifier,
  isValidRoomAlias,
  isValidRoomId,
  isValidRoomIdForVersion,
  isValidRoomVersionString,
  isValidServerName,
  isValidUserId,
  normaliseEmailAddress,
  parseEventId,
  parseMatrixToLink,
  parseMatrixUri,
  parseServerName,
  parseUserId,
  splitDotSeparatedPath,
  type MatrixLink,
} from './ids.js';
import { ROOM_VERSIONS } from './room-versions.js';
import { loadVectors } from './test-support/vectors.js';

const servers = loadVectors('server-names.json');
const ids = loadVectors('identifiers.json');

describe('server names (server-names.json)', () => {
  it.each<any>(servers.valid.map((c: any) => [c.input, c]))('accepts %j', (_input, c: any) => {
    const parsed = parseServerName(c.input);
    expect(parsed?.host).toBe(c.host);
    expect(parsed?.port).toBe(c.port ?? undefined);
  });

  it.each<any>(servers.invalid.map((c: any) => [c.input, c.reason]))('rejects %j (%s)', (input) => {
    expect(parseServerName(input as string)).toBeUndefined();
  });

  it('implementation-defined cases: both follow the grammar, as Synapse does', () => {
    const inputs = servers.implementation_defined.map((c: any) => c.input);
    expect(inputs).toEqual(['matrix.org:65536', '256.1.1.1']);
    expect(parseServerName('matrix.org:65536')).toEqual({ host: 'matrix.org', hostKind: 'dns', port: 65536 });
    expect(parseServerName('256.1.1.1')).toEqual({ host: '256.1.1.1', hostKind: 'dns' });
  });

  it('classifies hosts', () => {
    expect(parseServerName('1.2.3.4:5')?.hostKind).toBe('ipv4');
    expect(parseServerName('[::ffff:1.2.3.4]')?.hostKind).toBe('ipv6');
    expect(parseServerName('[1:2:3:4:5:6:7:8]')?.hostKind).toBe('ipv6');
    expect(isValidServerName('[1:2:3:4:5:6:7:8:9]')).toBe(false);
    expect(isValidServerName('[1::2::3]')).toBe(false);
    expect(isValidServerName('a'.repeat(256))).toBe(false);
  });
});

describe('user IDs (identifiers.json)', () => {
  const grammarOf: Record<string, string> = { valid: 'strict', historical: 'historical', non_compliant_accept: 'non_compliant' };
  it.each<any>(ids.user_ids.cases.map((c: any) => [JSON.stringify(c.input).slice(0, 40), c.level, c]))('%s is %s', (_s, level, c: any) => {
    const parsed = parseUserId(c.input);
    if (level === 'invalid') {
      expect(parsed).toBeUndefined();
      expect(isValidUserId(c.input, 'non_compliant')).toBe(false);
      return;
    }
    expect(parsed?.grammar).toBe(grammarOf[level as string]);
    if (c.localpart) expect(parsed?.localpart).toBe(c.localpart);
    if (c.server_name) expect(parsed?.serverName).toBe(c.server_name);
    expect(isValidUserId(c.input, 'non_compliant')).toBe(true);
    expect(isValidUserId(c.input, 'strict')).toBe(level === 'valid');
    expect(isValidUserId(c.input)).toBe(level !== 'non_compliant_accept');
  });
});

describe('room IDs, aliases, event IDs (identifiers.json)', () => {
  it.each<any>(ids.room_ids.cases.map((c: any) => [c.input, c.valid]))('room ID %j valid=%s', (input, valid) => {
    expect(isValidRoomId(input as string)).toBe(valid);
  });

  it('room version decides the room ID form', () => {
    const hashId = '!' + 'a'.repeat(42) + '_';
    expect(isValidRoomIdForVersion(hashId, ROOM_VERSIONS['12'])).toBe(true);
    expect(isValidRoomIdForVersion(hashId, ROOM_VERSIONS['11'])).toBe(false);
    expect(isValidRoomIdForVersion('!abc:example.com', ROOM_VERSIONS['11'])).toBe(true);
    expect(isValidRoomIdForVersion('!abc:example.com', ROOM_VERSIONS['12'])).toBe(false);
    expect(isValidRoomIdForVersion('!29fhd83h92h0', ROOM_VERSIONS['12'])).toBe(false);
  });

  it.each<any>(ids.room_aliases.cases.map((c: any) => [c.input, c.valid]))('alias %j valid=%s', (input, valid) => {
    expect(isValidRoomAlias(input as string)).toBe(valid);
  });

  const formatVersions: Record<string, string[]> = { 'v1-v2': ['1', '2'], v3: ['3'], 'v4+': ['4', '11', '12'] };
  it.each<any>(ids.event_ids.cases.map((c: any) => [c.input, c.format ?? 'invalid', c]))('event ID %j is %s', (input, format) => {
    if (format === 'invalid') {
      expect(parseEventId(input as string)).toBeUndefined();
      return;
    }
    // A hash without "+/" or "-_" fits both base64 alphabets.
    const alsoFits = format === 'v3' ? !/[+/]/.test(input as string) && 'v4+' : format === 'v4+' ? !/[-_]/.test(input as string) && 'v3' : false;
    for (const [f, versions] of Object.entries(formatVersions)) {
      for (const v of versions) expect(isValidEventIdForVersion(input as string, ROOM_VERSIONS[v]), `${f} v${v}`).toBe(f === format || f === alsoFits);
    }
  });

  it('rejects IDs over 255 bytes and with NUL', () => {
    expect(isValidRoomAlias('#' + 'é'.repeat(124) + ':example.com')).toBe(false);
    expect(isValidRoomId('!a\u0000b:example.com')).toBe(false);
    expect(isValidRoomId('!')).toBe(false);
  });
});

describe('other grammars (identifiers.json)', () => {
  it('room version strings', () => {
    for (const v of ids.room_versions.valid) expect(isValidRoomVersionString(v)).toBe(true);
    for (const c of ids.room_versions.invalid) expect(isValidRoomVersionString(c.input)).toBe(false);
  });

  it('namespaced and opaque identifiers', () => {
    for (const v of ids.common_namespaced_identifiers.valid) expect(isValidNamespacedIdentifier(v)).toBe(true);
    for (const v of ids.common_namespaced_identifiers.invalid) expect(isValidNamespacedIdentifier(v)).toBe(false);
    for (const v of ids.opaque_identifiers.valid) expect(isValidOpaqueIdentifier(v)).toBe(true);
    for (const v of ids.opaque_identifiers.invalid) expect(isValidOpaqueIdentifier(v)).toBe(false);
  });

  it('dot-separated property paths', () => {
    for (const c of ids.dot_separated_property_paths.cases) {
      expect(encodeDotSeparatedPath(c.path)).toBe(c.encoded);
      expect(splitDotSeparatedPath(c.encoded)).toEqual(c.path);
    }
    fc.assert(fc.property(fc.array(fc.string(), { minLength: 1 }), (path) => {
      expect(splitDotSeparatedPath(encodeDotSeparatedPath(path))).toEqual(path);
    }));
  });

  it('email addresses', () => {
    for (const c of ids.third_party_ids.email) expect(normaliseEmailAddress(c.input)).toBe(c.canonical ?? c.canonical_for_matching);
  });

  /** "$event in !room" / "@alice:example.org (chat)" → a MatrixLink. */
  function linkOf(entity: string, uri: string): MatrixLink {
    const [first, , second] = entity.replace(/ \(chat\)$/, '').split(' ');
    const via = new URLSearchParams(uri.split('?')[1] ?? '').getAll('via');
    const link: MatrixLink = second ? { id: second, eventId: first, via } : { id: first, via };
    if (entity.endsWith('(chat)')) link.action = 'chat';
    return link;
  }

  it.each<any>(ids.uris.matrix_scheme.map((c: any) => [c.uri, c.entity]))('matrix: URI %s', (uri, entity) => {
    const expected = linkOf(entity as string, uri as string);
    // The spec writes the event in a matrix: URI without its server ("$event").
    expect(parseMatrixUri(uri as string)).toEqual(expected);
    expect(buildMatrixUri(expected)).toBe(uri);
  });

  it.each<any>(ids.uris.matrix_to.flatMap((c: any) => c.uris.map((u: string) => [u, c.entity])))('matrix.to link %s', (uri, entity) => {
    expect(parseMatrixToLink(uri as string)).toEqual(linkOf(entity as string, uri as string));
  });

  it('rejects malformed links', () => {
    for (const bad of ['matrix:x/a:b', 'matrix:r', 'matrix:u/a:b/e/c', 'matrix:r/%E0%A4%A', 'http://x']) expect(parseMatrixUri(bad)).toBeUndefined();
    for (const bad of ['https://matrix.to/#/foo', 'https://matrix.to/#/!a:b/x', 'https://matrix.to/#/%E0%A4%A']) expect(parseMatrixToLink(bad)).toBeUndefined();
  });
});

describe('parsers never throw', () => {
  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      parseServerName(s);
      parseUserId('@' + s);
      isValidRoomId('!' + s);
      isValidRoomAlias('#' + s);
      parseEventId('$' + s);
      parseMatrixUri('matrix:' + s);
      parseMatrixToLink('https://matrix.to/#/' + s);
    }));
  });
});
