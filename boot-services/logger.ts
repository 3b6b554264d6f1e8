// One-line structured log records on stdout (the supervisor prefixes each process's lines).
import type { Logger } from './bootd-context.ts';

export function createLogger(component: string): Logger {
  const write = (level: string, msg: string, fields?: Record<string, unknown>) => {
    const extra = fields && Object.keys(fields).length > 0 ? ' ' + JSON.stringify(fields) : '';
    process.stdout.write(`${level} ${component}: ${msg}${extra}\n`);
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
