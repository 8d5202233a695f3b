// Keeps the session in localStorage so a reload stays signed in. `key` separates embedded rooms
// on one page from the full app.
import type { Session } from './types.js';

const PREFIX = 'parley.session';

export function loadSession(key = 'app'): Session | undefined {
  try {
    const raw = localStorage.getItem(`${PREFIX}.${key}`);
    const s = raw ? (JSON.parse(raw) as Session) : undefined;
    return s?.accessToken && s.userId && s.homeserver ? s : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session, key = 'app'): void {
  localStorage.setItem(`${PREFIX}.${key}`, JSON.stringify(session));
}

export function clearSession(key = 'app'): void {
  localStorage.removeItem(`${PREFIX}.${key}`);
}
