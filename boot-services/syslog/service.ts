// bootd's syslog service (DESIGN.md: "the host's syslog ──► bootd syslog"): UDP datagrams on the
// syslog port, the sender found by its source address in the view, one file per host under
// <stateDir>/logs (unknown senders under their IP), and the last lines of a host's file for
// bootd's admin endpoint (GET /logs/<hostId>?lines=N). main.ts calls startSyslogService(ctx).
import dgram from 'node:dgram';
import type http from 'node:http';
import path from 'node:path';
import type { BootdConfig, BootdContext, RunningService } from '../bootd-context.ts';
import { listenAddresses } from '../tftp/service.ts';
import { defaultMaxMessageBytes, formatLogLine, parseSyslogMessage } from './message.ts';
import { defaultHostLogFilesOptions, HostLogFiles, logFileName, type HostLogFilesOptions } from './host-log-files.ts';

export interface SyslogContext extends Pick<BootdContext, 'view' | 'metrics' | 'log'> {
  config: Pick<BootdConfig, 'bindAddress' | 'serverAddress' | 'stateDir'> & { syslogPort: number };
}

export interface SyslogTuning {
  maxMessageBytes: number;
  files: Omit<HostLogFilesOptions, 'onWriteError' | 'dir'>;
  /** The admin endpoint gives at most this many lines. */
  maxTailLines: number;
  now(): Date;
}

export const defaultSyslogTuning = (): SyslogTuning => {
  const { dir: _dir, ...files } = defaultHostLogFilesOptions('');
  return { maxMessageBytes: defaultMaxMessageBytes, files, maxTailLines: 2000, now: () => new Date() };
};

export interface SyslogService extends RunningService {
  port: number;
  files: HostLogFiles;
  /** Answers GET /logs/<hostId>?lines=N on bootd's admin server. */
  answerTailRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
}

const help = {
  messages: 'Syslog datagrams by result (stored, or dropped with a reason)',
  writeErrors: 'Failed appends to per-host syslog files (retried)',
};

export async function startSyslogService(ctx: SyslogContext, tuning: SyslogTuning = defaultSyslogTuning()): Promise<SyslogService> {
  const files = new HostLogFiles({
    ...tuning.files,
    dir: path.join(ctx.config.stateDir, 'logs'),
    onWriteError: (name, err) => {
      ctx.metrics.inc('fleetboot_syslog_write_errors_total', help.writeErrors);
      ctx.log.warn('syslog file write failed; retrying', { file: name, error: err.message });
    },
  });
  const count = (result: string, reason?: string) =>
    ctx.metrics.inc('fleetboot_syslog_messages_total', help.messages, reason ? { result, reason } : { result });

  const receive = (datagram: Buffer, from: dgram.RemoteInfo) => {
    // Nothing thrown here may reach the socket: every datagram ends in one counted result.
    try {
      const parsed = parseSyslogMessage(datagram, tuning.maxMessageBytes);
      if (!parsed.ok) return count('dropped', parsed.reason);
      const host = ctx.view.findHostByIp(from.address);
      const name = (host && logFileName(host.hostname)) || logFileName(from.address);
      if (!name) return count('dropped', 'bad-source');
      if (!files.append(name, formatLogLine(parsed.message, tuning.now()))) return count('dropped', 'backlog');
      count(host ? 'stored' : 'stored-unknown-sender');
    } catch (err) {
      count('dropped', 'internal-error');
      ctx.log.error('syslog datagram handling failed', { from: from.address, error: (err as Error).message });
    }
  };

  const sockets: dgram.Socket[] = [];
  let port = ctx.config.syslogPort;
  try {
    for (const address of listenAddresses(ctx.config.bindAddress, ctx.config.serverAddress)) {
      const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
      socket.on('message', receive);
      socket.on('error', (err) => ctx.log.warn('syslog socket error', { address, error: err.message }));
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, address, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      sockets.push(socket);
      // Port 0 (tests): every address gets the port the first one was given.
      port = socket.address().port;
    }
  } catch (err) {
    for (const s of sockets) s.close();
    throw err;
  }
  ctx.log.info('syslog listening', { addresses: sockets.map((s) => s.address().address), port });

  const answerTailRequest = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://bootd');
    const reply = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const match = /^\/logs\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !match) return void reply(404, { error: 'not found' });
    const id = decodeURIComponent(match[1]!);
    const requested = Number(url.searchParams.get('lines') ?? 200);
    if (!Number.isInteger(requested) || requested < 1) return void reply(400, { error: 'lines must be a positive integer', field: 'lines' });
    // By host id; a sender the view doesn't know is asked for by its IP.
    const host = ctx.view.findHostById(id);
    const name = host ? logFileName(host.hostname) : /^\d{1,3}(\.\d{1,3}){3}$/.test(id) ? logFileName(id) : null;
    if (!name) return void reply(404, { error: 'no such host in bootd\'s view' });
    try {
      const lines = await files.tail(name, Math.min(requested, tuning.maxTailLines));
      reply(200, { hostId: host?.id ?? null, file: `${name}.log`, lines });
    } catch (err) {
      ctx.log.warn('syslog tail failed', { file: name, error: (err as Error).message });
      reply(500, { error: 'reading the log file failed' });
    }
  };

  return {
    name: 'syslog',
    port,
    files,
    answerTailRequest,
    close: async () => {
      await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      await files.close();
    },
  };
}
