// bootd's syslog service (DESIGN.md: "the host's syslog ──► bootd syslog"): UDP datagrams on the
// syslog port, the sender found by its source address (reservation or pool lease,
// sender-hosts.ts), one file per host under <stateDir>/logs (unknown senders under their IP), and
// the last lines of a host's file for bootd's admin endpoint (GET /logs/<hostId>?lines=N). On by
// default; a port it can't bind (rsyslog holds 514) is reported and retried, never fatal to
// bootd. main.ts calls startSyslogService(ctx).
import dgram from 'node:dgram';
import type http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { HostView } from '../../lib/boot/boot-view.ts';
import type { BootdConfig, BootdContext, LogServer, RunningService } from '../bootd-context.ts';
import { listenAddresses } from '../listen-addresses.ts';
import { defaultMaxMessageBytes, formatLogLine, parseSyslogMessage } from './message.ts';
import { defaultHostLogFilesOptions, HostLogFiles, logFileName, type HostLogFilesOptions } from './host-log-files.ts';
import { ClientHosts } from '../client-hosts.ts';

export interface SyslogContext extends Pick<BootdContext, 'view' | 'metrics' | 'log' | 'clients'> {
  config: Pick<BootdConfig, 'bindAddress' | 'serverAddress' | 'listenAddresses' | 'stateDir'> & { syslogPort: number };
  /** The MAC holding a bound pool lease on an address (main.ts: the Lease table); absent: reservations only. */
  findLeaseHolderMac?: (ip: string) => Promise<string | null>;
}

export interface SyslogTuning {
  maxMessageBytes: number;
  files: Omit<HostLogFilesOptions, 'onWriteError' | 'dir'>;
  /** The admin endpoint gives at most this many lines. */
  maxTailLines: number;
  /** An address whose port couldn't be bound is tried again this often (the holder may go away). */
  rebindIntervalMs: number;
  now(): Date;
}

export const defaultSyslogTuning = (): SyslogTuning => {
  const { dir: _dir, ...files } = defaultHostLogFilesOptions('');
  return { maxMessageBytes: defaultMaxMessageBytes, files, maxTailLines: 2000, rebindIntervalMs: 30_000, now: () => new Date() };
};

/** What bootd's status endpoint says of the receiver. */
export type SyslogStatus =
  | { state: 'listening'; port: number; addresses: string[]; unbound: Array<{ address: string; error: string }> }
  /** Nothing bound (the port is taken or refused): hosts' logs are not received; retried. */
  | { state: 'not-listening'; port: number; error: string; hint: string | null; retryEverySeconds: number };

export interface SyslogService extends RunningService {
  /** The configured port; in tests port 0 becomes the kernel's choice once bound. */
  readonly port: number;
  files: HostLogFiles;
  status(): SyslogStatus;
  /** Where hosts send their logs (identity, DHCP option 7), or null while the boot address isn't bound. */
  logServer(): LogServer | null;
  /** Answers GET /logs/<hostId>?lines=N on bootd's admin server. */
  answerTailRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
}

const help = {
  messages: 'Syslog datagrams by result (stored, or dropped with a reason)',
  writeErrors: 'Failed appends to per-host syslog files (retried)',
  listening: 'Whether the syslog receiver has its port bound (0: hosts\' logs are not received)',
  bindFailures: 'Failed binds of the syslog port, by error code (retried)',
  lookupErrors: 'Lease lookups of syslog senders that failed (the sender is kept under its IP)',
};

/** Why a bind fails, in the operator's words. */
function bindHint(code: string | undefined, port: number): string | null {
  if (code === 'EADDRINUSE') return `another program holds udp/${port} (rsyslog or syslog-ng with UDP input, another bootd?): stop it there, or set FLEETBOOT_SYSLOG_PORT`;
  if (code === 'EACCES') return `ports below 1024 need root or CAP_NET_BIND_SERVICE`;
  return null;
}

/**
 * Never throws for a port it can't bind: bootd's other services go on, the failure is logged,
 * shown in status() and the metrics, and the bind is retried every rebindIntervalMs.
 */
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
  let lastLookupWarnMs = 0;
  const senders = ctx.clients ?? new ClientHosts({
    view: ctx.view,
    findLeaseHolderMac: ctx.findLeaseHolderMac,
    onLookupError: (ip, err) => {
      ctx.metrics.inc('fleetboot_syslog_lookup_errors_total', help.lookupErrors);
      // A database outage must not flood bootd's own log: one line a minute.
      if (Date.now() - lastLookupWarnMs < 60_000) return;
      lastLookupWarnMs = Date.now();
      ctx.log.warn('syslog sender lease lookup failed; kept under its IP', { ip, error: err.message });
    },
  });

  const store = (host: HostView | null, address: string, line: string) => {
    try {
      const name = (host && logFileName(host.hostname)) || logFileName(address);
      if (!name) return count('dropped', 'bad-source');
      if (!files.append(name, line)) return count('dropped', 'backlog');
      count(host ? 'stored' : 'stored-unknown-sender');
    } catch (err) {
      count('dropped', 'internal-error');
      ctx.log.error('syslog datagram handling failed', { from: address, error: (err as Error).message });
    }
  };
  const receive = (datagram: Buffer, from: dgram.RemoteInfo) => {
    // Nothing thrown here may reach the socket: every datagram ends in one counted result.
    try {
      const parsed = parseSyslogMessage(datagram, tuning.maxMessageBytes);
      if (!parsed.ok) return count('dropped', parsed.reason);
      // Stamped on arrival, even when the sender's lease lookup makes it wait.
      const line = formatLogLine(parsed.message, tuning.now());
      senders.whenKnown(from.address, (client) => store(client.host, from.address, line));
    } catch (err) {
      count('dropped', 'internal-error');
      ctx.log.error('syslog datagram handling failed', { from: from.address, error: (err as Error).message });
    }
  };

  const addresses = listenAddresses(ctx.config);
  const sockets = new Map<string, dgram.Socket>();
  const unbound = new Map<string, { code: string | undefined; error: string }>();
  let port = ctx.config.syslogPort;
  let closed = false;
  let binding: Promise<void> | null = null;
  let rebindTimer: NodeJS.Timeout | null = null;

  const bindOne = (address: string) => new Promise<dgram.Socket>((resolve, reject) => {
    // The boot interfaces' IPv6 addresses get udp6 sockets of their own (hosts booted over
    // DHCPv6 log to bootd's IPv6 address); ipv6Only keeps them from taking IPv4 traffic.
    const v6 = net.isIPv6(address);
    const socket = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4', reuseAddr: false, ipv6Only: v6 });
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(port, address, () => {
      socket.removeAllListeners('error');
      socket.on('error', (err) => ctx.log.warn('syslog socket error', { address, error: err.message }));
      socket.on('message', receive);
      resolve(socket);
    });
  });

  const bindMissing = async () => {
    for (const address of addresses) {
      if (closed || sockets.has(address)) continue;
      try {
        const socket = await bindOne(address);
        if (closed) {
          socket.close();
          return;
        }
        sockets.set(address, socket);
        unbound.delete(address);
        // Port 0 (tests): every address gets the port the first one was given.
        port = socket.address().port;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        ctx.metrics.inc('fleetboot_syslog_bind_failures_total', help.bindFailures, { code: code ?? 'unknown' });
        unbound.set(address, { code, error: (err as Error).message });
      }
    }
    ctx.metrics.set('fleetboot_syslog_listening', help.listening, {}, sockets.size > 0 ? 1 : 0);
  };
  const retry = () => {
    if (binding || closed) return;
    const before = sockets.size;
    binding = bindMissing().finally(() => {
      binding = null;
      if (sockets.size > before) ctx.log.info('syslog listening after a retry', { addresses: [...sockets.keys()], port, stillUnbound: [...unbound.keys()] });
      if (unbound.size === 0 && rebindTimer) {
        clearInterval(rebindTimer);
        rebindTimer = null;
      }
    });
  };

  await bindMissing();
  if (unbound.size > 0) {
    rebindTimer = setInterval(retry, tuning.rebindIntervalMs);
    rebindTimer.unref();
  }
  if (sockets.size === 0) {
    const first = [...unbound.values()][0];
    ctx.log.error(`syslog NOT receiving: udp/${port} could not be bound, so hosts' logs are lost until it can; DHCP, TFTP and HTTP go on`, {
      addresses, error: first?.error, hint: bindHint(first?.code, port), retryEverySeconds: tuning.rebindIntervalMs / 1000,
    });
  } else {
    if (unbound.size > 0) {
      ctx.log.warn('syslog port not bound on every address (retried)', { unbound: Object.fromEntries([...unbound].map(([a, u]) => [a, u.error])), hint: bindHint([...unbound.values()][0]?.code, port) });
    }
    ctx.log.info('syslog listening', { addresses: [...sockets.keys()], port });
  }

  const status = (): SyslogStatus => {
    if (sockets.size > 0) {
      return { state: 'listening', port, addresses: [...sockets.keys()], unbound: [...unbound].map(([address, u]) => ({ address, error: u.error })) };
    }
    const first = [...unbound.values()][0];
    return { state: 'not-listening', port, error: first?.error ?? 'not bound', hint: bindHint(first?.code, port), retryEverySeconds: tuning.rebindIntervalMs / 1000 };
  };
  const logServer = (): LogServer | null => {
    const { serverAddress, bindAddress } = ctx.config;
    // The address hosts reach bootd at; another bound address (loopback) is no use to them.
    const address = sockets.has(serverAddress) ? serverAddress : sockets.has(bindAddress) ? bindAddress : null;
    return address ? { address, port } : null;
  };

  const answerTailRequest = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://bootd');
    const reply = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const match = /^\/logs\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !match) return void reply(404, { error: 'not found' });
    const id = decodeURIComponent(match[1]!);
    const requested = Number(url.searchParams.get('lines') ?? 200);
    if (!Number.isInteger(requested) || requested < 1) return void reply(400, { error: 'lines must be a positive integer', field: 'lines' });
    // By host id; a sender the view doesn't know is asked for by its IP (v4 or v6).
    const host = ctx.view.findHostById(id);
    const name = host ? logFileName(host.hostname) : net.isIP(id) ? logFileName(id) : null;
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
    get port() { return port; },
    files,
    status,
    logServer,
    answerTailRequest,
    close: async () => {
      closed = true;
      if (rebindTimer) clearInterval(rebindTimer);
      await binding;
      await Promise.all([...sockets.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      sockets.clear();
      await files.close();
    },
  };
}
