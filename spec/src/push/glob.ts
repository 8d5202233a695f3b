// Glob patterns of push rules (`*` any run of characters, `?` one character), case-insensitive.
// https://spec.matrix.org/v1.19/client-server-api/#conditions-1

const cache = new Map<string, RegExp>();

function globToRegExpSource(glob: string): string {
  let out = '';
  for (const ch of glob) {
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else out += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return out;
}

function compiled(glob: string, wordBoundary: boolean): RegExp {
  const key = `${wordBoundary ? 'w' : 'f'}:${glob}`;
  let re = cache.get(key);
  if (!re) {
    const source = globToRegExpSource(glob);
    // A "word" boundary per the spec: start/end of the value or a non-alphanumeric character.
    re = wordBoundary
      ? new RegExp(`(?:^|[^\\p{L}\\p{N}_])${source}(?:[^\\p{L}\\p{N}_]|$)`, 'isu')
      : new RegExp(`^${source}$`, 'isu');
    if (cache.size > 1000) cache.clear();
    cache.set(key, re);
  }
  return re;
}

/** The whole value matches the glob. */
export function globMatches(glob: string, value: string): boolean {
  return compiled(glob, false).test(value);
}

/** The glob matches a run of whole words inside the value (content rules, display names). */
export function globMatchesWords(glob: string, value: string): boolean {
  return compiled(glob, true).test(value);
}
