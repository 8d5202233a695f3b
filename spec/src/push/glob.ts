// Glob patterns of push rules (`*` any run of characters, `?` one character), case-insensitive.
// https://spec.matrix.org/v1.19/client-server-api/#conditions-1

/** Compiled patterns: every user's name and display name is one, so the cache must hold thousands. */
const cache = new Map<string, RegExp>();
const CACHE_MAX = 20_000;
const ASCII = /^[\x00-\x7f]*$/;
/** ASCII without the wildcards `*` and `?`. */
const ASCII_LITERAL = /^[^*?\x80-\uffff]*$/;

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
    // Oldest first out (a Map iterates in insertion order).
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
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
  // Most values cannot match at all: for ASCII text and a literal ASCII glob, a case-insensitive
  // match needs the glob as a substring (cheap) before the word boundaries matter (the regex).
  if (ASCII_LITERAL.test(glob) && ASCII.test(value) && !value.toLowerCase().includes(glob.toLowerCase())) return false;
  return compiled(glob, true).test(value);
}
