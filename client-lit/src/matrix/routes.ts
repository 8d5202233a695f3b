// Client-server routes the web client calls, with paths exactly as the spec writes them.
// Where @parley/spec already defines an endpoint its definition is used (same method/path/auth);
// the rest are declared here until their definitions land in spec/src/api.
import type { Route } from './http.js';

const r = (method: Route['method'], path: string, auth: Route['auth'] = 'user'): Route => ({ method, path, auth });
const v3 = '/_matrix/client/v3';

export const routes = {
  versions: r('GET', '/_matrix/client/versions', 'optional'),
  wellKnown: r('GET', '/.well-known/matrix/client', 'none'),
  loginFlows: r('GET', `${v3}/login`, 'none'),
  login: r('POST', `${v3}/login`, 'none'),
  register: r('POST', `${v3}/register`, 'none'),
  logout: r('POST', `${v3}/logout`),
  whoami: r('GET', `${v3}/account/whoami`),
  sync: r('GET', `${v3}/sync`),
  send: r('PUT', `${v3}/rooms/{roomId}/send/{eventType}/{txnId}`),
  redact: r('PUT', `${v3}/rooms/{roomId}/redact/{eventId}/{txnId}`),
  setState: r('PUT', `${v3}/rooms/{roomId}/state/{eventType}/{stateKey}`),
  typing: r('PUT', `${v3}/rooms/{roomId}/typing/{userId}`),
  receipt: r('POST', `${v3}/rooms/{roomId}/receipt/{receiptType}/{eventId}`),
  readMarkers: r('POST', `${v3}/rooms/{roomId}/read_markers`),
  messages: r('GET', `${v3}/rooms/{roomId}/messages`),
  event: r('GET', `${v3}/rooms/{roomId}/event/{eventId}`),
  relations: r('GET', '/_matrix/client/v1/rooms/{roomId}/relations/{eventId}/{relType}'),
  members: r('GET', `${v3}/rooms/{roomId}/members`),
  createRoom: r('POST', `${v3}/createRoom`),
  join: r('POST', `${v3}/join/{roomIdOrAlias}`),
  leave: r('POST', `${v3}/rooms/{roomId}/leave`),
  invite: r('POST', `${v3}/rooms/{roomId}/invite`),
  kick: r('POST', `${v3}/rooms/{roomId}/kick`),
  ban: r('POST', `${v3}/rooms/{roomId}/ban`),
  resolveAlias: r('GET', `${v3}/directory/room/{roomAlias}`, 'none'),
  userSearch: r('POST', `${v3}/user_directory/search`),
  profile: r('GET', `${v3}/profile/{userId}`, 'optional'),
  setDisplayName: r('PUT', `${v3}/profile/{userId}/displayname`),
  setAvatarUrl: r('PUT', `${v3}/profile/{userId}/avatar_url`),
  setAccountData: r('PUT', `${v3}/user/{userId}/account_data/{type}`),
  presence: r('GET', `${v3}/presence/{userId}/status`),
  search: r('POST', `${v3}/search`),
  upload: r('POST', '/_matrix/media/v3/upload'),
  download: r('GET', '/_matrix/client/v1/media/download/{serverName}/{mediaId}'),
  thumbnail: r('GET', '/_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}'),
  legacyDownload: r('GET', '/_matrix/media/v3/download/{serverName}/{mediaId}', 'none'),
} as const;

/** Parley's WebSocket stream, advertised in /versions as unstable_features['org.parley.ws']. */
export const PARLEY_WS_FEATURE = 'org.parley.ws';
export const PARLEY_WS_PATH = '/_matrix/client/unstable/org.parley.ws';
