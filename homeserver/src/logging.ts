// The pino logger, with secrets redacted from logged objects. Request lines never carry the URL.
import { pino, type Logger } from 'pino';

/**
 * Logs to stdout (or `dest`) through a 4 KiB buffer: one write per few dozen request lines rather
 * than one per line. The buffer is flushed every 250 ms (someone may be watching) and at exit.
 */
export function createLogger(level: string, dest: number | string = 1): Logger {
  const destination = pino.destination({ dest, sync: false, minLength: 4096 });
  setInterval(() => {
    try {
      destination.flush();
    } catch {
      /* destroyed at shutdown, or not open yet */
    }
  }, 250).unref();
  return pino(
    {
      level,
      base: { name: 'parley' },
      redact: {
        paths: ['password', '*.password', 'access_token', '*.access_token', 'refresh_token', '*.refresh_token', 'headers.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
