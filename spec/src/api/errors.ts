// The Matrix error envelope: https://spec.matrix.org/v1.19/client-server-api/#standard-error-response

export interface MatrixErrorBody {
  errcode: string;
  error: string;
  [extra: string]: unknown;
}

export class MatrixError extends Error {
  readonly status: number;
  readonly errcode: string;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    errcode: string,
    message: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'MatrixError';
    this.status = status;
    this.errcode = errcode;
    this.extra = extra;
    this.headers = headers;
  }

  toJSON(): MatrixErrorBody {
    return { errcode: this.errcode, error: this.message, ...this.extra };
  }
}

export const Errors = {
  forbidden: (msg = 'Forbidden', extra?: Record<string, unknown>) => new MatrixError(403, 'M_FORBIDDEN', msg, extra),
  notFound: (msg = 'Not found') => new MatrixError(404, 'M_NOT_FOUND', msg),
  unrecognized: (msg = 'Unrecognized request', status = 404) => new MatrixError(status, 'M_UNRECOGNIZED', msg),
  notJson: (msg = 'Content not JSON.') => new MatrixError(400, 'M_NOT_JSON', msg),
  badJson: (msg: string) => new MatrixError(400, 'M_BAD_JSON', msg),
  missingParam: (msg: string) => new MatrixError(400, 'M_MISSING_PARAM', msg),
  invalidParam: (msg: string) => new MatrixError(400, 'M_INVALID_PARAM', msg),
  tooLarge: (msg = 'Request too large') => new MatrixError(413, 'M_TOO_LARGE', msg),
  missingToken: () => new MatrixError(401, 'M_MISSING_TOKEN', 'Missing access token'),
  unknownToken: (softLogout = false) =>
    new MatrixError(401, 'M_UNKNOWN_TOKEN', softLogout ? 'Access token has expired' : 'Unknown access token', {
      soft_logout: softLogout,
    }),
  limitExceeded: (retryAfterMs: number) =>
    new MatrixError(
      429,
      'M_LIMIT_EXCEEDED',
      'Too many requests',
      { retry_after_ms: retryAfterMs },
      { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) },
    ),
  unknown: (msg = 'Internal server error', extra?: Record<string, unknown>) =>
    new MatrixError(500, 'M_UNKNOWN', msg, extra),
  userInUse: () => new MatrixError(400, 'M_USER_IN_USE', 'User ID already taken.'),
  invalidUsername: (msg: string) => new MatrixError(400, 'M_INVALID_USERNAME', msg),
  exclusive: (msg = 'User ID is reserved.') => new MatrixError(400, 'M_EXCLUSIVE', msg),
  userDeactivated: () => new MatrixError(403, 'M_USER_DEACTIVATED', 'This account has been deactivated'),
  guestAccessForbidden: () => new MatrixError(403, 'M_GUEST_ACCESS_FORBIDDEN', 'Guest access is disabled'),
  unsupportedRoomVersion: (v: string) =>
    new MatrixError(400, 'M_UNSUPPORTED_ROOM_VERSION', `Room version ${v} is not supported`),
} as const;
