// The pino logger, with secrets redacted from logged objects. Request lines never carry the URL.
import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { name: 'parley' },
    redact: {
      paths: ['password', '*.password', 'access_token', '*.access_token', 'refresh_token', '*.refresh_token', 'headers.authorization'],
      censor: '[redacted]',
    },
  });
}
