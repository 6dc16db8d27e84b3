// pino logger. Request logs carry method, path (no query string), status and timing only:
// no bodies, cookies, names or query parameters, which may hold personal data.
import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'activegroups' } });
}
