// What every bootd service receives from boot-services/main.ts: configuration, the
// in-memory view, the event sink, metrics and a logger. No database: a service that keeps
// something in PostgreSQL is handed the narrow store/ table it writes (main.ts).
import type { BootView } from '../lib/boot/boot-view.ts';
import { ClientHosts } from './client-hosts.ts';
import type { EventSink } from './events/event-sink.ts';
import type { ArtifactSource } from './artifacts/artifact-sync.ts';
import type { Metrics } from './metrics.ts';

export interface BootdConfig {
  /** The boot interface's address: DHCP server identifier, TFTP/HTTP replies come from it. */
  serverAddress: string;
  /** Address HTTP listens on (FLEETBOOT_BOOTD_BIND; by default the server address). */
  bindAddress: string;
  /**
   * Addresses TFTP and syslog listen on: by default the boot interfaces' (config.ts); absent,
   * bindAddress (0.0.0.0: every local address).
   */
  listenAddresses?: string[];
  /** The first boot interface's name, if any. */
  interfaceName: string | null;
  /** The interfaces DHCP answers on (one socket bound to each: dhcp/service.ts), with their addresses. */
  bootInterfaces?: BootInterface[];
  dhcpPort: number;
  dhcpClientPort: number;
  tftpPort: number;
  httpPort: number;
  /** Where bootloaders (pxelinux.0, ldlinux.c32, undionly.kpxe, ipxe.efi, snponly.efi) are found. */
  bootloaderDirs: string[];
  /** bootd's state: snapshot of the view, event spool. */
  stateDir: string;
  /** Base URL hosts use to reach bootd's HTTP service, e.g. http://10.66.0.1:8080 */
  httpBaseUrl: string;
  enableDhcp: boolean;
  enableTftp: boolean;
  enableHttp: boolean;
}

/** A boot network interface and its (primary IPv4) address, as the kernel had it at start. */
export interface BootInterface {
  name: string;
  address: string;
}

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** RFC 5426 §3.3: syslog over UDP is received on port 514; DHCP option 7 can name no other. */
export const standardSyslogPort = 514;

/** bootd's syslog receiver as hosts reach it (DHCP option 7, the agent's identity). */
export interface LogServer {
  address: string;
  port: number;
}

export interface BootdContext {
  config: BootdConfig;
  view: BootView;
  events: EventSink;
  metrics: Metrics;
  log: Logger;
  /** Where hosts send their logs: null while syslog is off or its port isn't bound. */
  logServer?: () => LogServer | null;
  /** Who a client address is (reservation, pool lease, boot agent): one for all services, so the DHCP lease book serves TFTP, HTTP and syslog. */
  clients?: ClientHosts;
  /** A boot server's artifact cache; absent: artifacts are read at the console's paths (one machine). */
  artifacts?: ArtifactSource | null;
}

/** The context's client resolver; a context without one (tests) knows reservations only. */
export function clientHostsOf(ctx: Pick<BootdContext, 'view' | 'clients'>): ClientHosts {
  return ctx.clients ?? (ctx.clients = new ClientHosts({ view: ctx.view }));
}

/** A started service: main.ts closes them in reverse order on shutdown. */
export interface RunningService {
  name: string;
  close(): Promise<void>;
}
