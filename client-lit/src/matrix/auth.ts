// Sign-in, registration (with the user-interactive auth dance) and discovery.
import { MatrixApiError, MatrixHttp, normaliseBaseUrl } from './http.js';
import { routes } from './routes.js';
import type { LoginResponse, Session } from './types.js';

/** Resolves what the user typed (a URL, a server name, or empty for this server) to a client base URL. */
export async function discoverHomeserver(input: string): Promise<string> {
  if (!input.trim()) return location.origin;
  const base = normaliseBaseUrl(input);
  try {
    const wk = await new MatrixHttp(base).call(routes.wellKnown);
    const url = wk?.['m.homeserver']?.base_url;
    if (typeof url === 'string' && url) {
      const advertised = normaliseBaseUrl(url);
      // As the spec asks, check the advertised server answers before trusting it.
      if (advertised === base) return base;
      await new MatrixHttp(advertised).call(routes.versions);
      return advertised;
    }
  } catch {
    /* no usable .well-known: use the URL as given */
  }
  return base;
}

function toSession(homeserver: string, res: LoginResponse, guest = false): Session {
  return { homeserver, userId: res.user_id, accessToken: res.access_token, deviceId: res.device_id, guest };
}

export async function login(homeserver: string, username: string, password: string, deviceName = 'Parley web'): Promise<Session> {
  const res = await new MatrixHttp(homeserver).call<LoginResponse>(routes.login, {
    body: {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: username },
      password,
      initial_device_display_name: deviceName,
    },
  });
  return toSession(homeserver, res);
}

/**
 * Registers through user-interactive auth: the first request learns the flows and session,
 * then stages this client can complete on its own (dummy, terms) are answered.
 */
export async function register(homeserver: string, username: string, password: string, deviceName = 'Parley web'): Promise<Session> {
  const http = new MatrixHttp(homeserver);
  const body: Record<string, unknown> = { username, password, initial_device_display_name: deviceName };
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      return toSession(homeserver, await http.call<LoginResponse>(routes.register, { body }));
    } catch (err) {
      if (!(err instanceof MatrixApiError) || err.status !== 401 || !err.body.flows) throw err;
      const done: string[] = err.body.completed ?? [];
      const flows: Array<{ stages: string[] }> = err.body.flows;
      const doable = flows.find((f) => f.stages.every((s) => s === 'm.login.dummy' || s === 'm.login.terms'));
      const next = doable?.stages.find((s) => !done.includes(s));
      if (!next) throw new MatrixApiError(401, 'M_FORBIDDEN', 'Registration needs a step this client cannot do (e.g. a token or email).');
      body.auth = { type: next, session: err.body.session };
    }
  }
  throw new MatrixApiError(401, 'M_FORBIDDEN', 'Registration did not complete');
}

export async function registerGuest(homeserver: string): Promise<Session> {
  const res = await new MatrixHttp(homeserver).call<LoginResponse>(routes.register, { query: { kind: 'guest' }, body: {} });
  return toSession(homeserver, res, true);
}

export async function logout(session: Session): Promise<void> {
  await new MatrixHttp(session.homeserver, session.accessToken).call(routes.logout).catch(() => {});
}
