// bootd configuration from the environment. DHCP answers only on the interfaces the operator
// names (FLEETBOOT_BOOT_INTERFACE): a DHCP server that starts by itself on whatever network
// the machine sits on would hand out addresses to strangers. Their addresses come from the
// kernel (boot-interfaces.ts); one that has none yet, or is down, is BootInterfaceNotReady.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bootServerHeartbeatSeconds } from '../lib/boot-server-heartbeat.ts';
import { bootHttpBaseUrl, defaultBootHttpPort } from '../lib/boot/boot-paths.ts';
import { interfaceNotReadyReason, parseInterfaceList, readKernelInterfaces, type KernelInterface } from './boot-interfaces.ts';
import { standardSyslogPort, type BootdConfig, type BootInterface } from './bootd-context.ts';
import { defaultHeartbeatMs, defaultTakeoverAfterSecs, type DhcpPeeringConfig } from './dhcp/peer-heartbeat.ts';

/**
 * What bootd runs unless FLEETBOOT_SERVICES says otherwise. Syslog is on: diskless hosts have
 * nowhere else to keep their logs, and a failed health gate shows the spare's last lines.
 */
export const defaultServices = 'dhcp,dhcp6,tftp,http,syslog';

export const defaultBootloaderDirs = ['/usr/lib/PXELINUX', '/usr/lib/syslinux/modules/bios', '/usr/lib/ipxe'];

function int(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return n;
}

/** A named boot interface can't be served yet (no address, down, missing): bootd waits for it. */
export class BootInterfaceNotReady extends Error {
  constructor(readonly reasons: string[]) {
    super(reasons.join('; '));
  }
}

/**
 * Where bootd's status endpoint listens (FLEETBOOT_BOOTD_ADMIN_PORT, FLEETBOOT_BOOTD_ADMIN_BIND),
 * known before the rest of the configuration can be: it answers while bootd waits for its
 * boot interfaces. An unnamed bootd shares the console's machine and keeps it on 127.0.0.1; a
 * named one is asked by a console elsewhere (its registered status URL), so it listens on
 * every address: /healthz and /metrics open to scrapers, hosts' logs only to the console's
 * signature (lib/node/console-signature.ts).
 */
export function adminListenFromEnv(env: Record<string, string | undefined>): { adminPort: number; adminBindAddress: string } {
  const named = Boolean(env.FLEETBOOT_BOOTD_NAME?.trim());
  return { adminPort: int(env, 'FLEETBOOT_BOOTD_ADMIN_PORT', 9467), adminBindAddress: env.FLEETBOOT_BOOTD_ADMIN_BIND || (named ? '0.0.0.0' : '127.0.0.1') };
}

/**
 * A named boot server (DESIGN.md "bootd on its own machine"): made in the console (Boot
 * servers), which shows its credential once. Unnamed, bootd serves every network and keeps
 * its status endpoint on 127.0.0.1 (one machine, no registry).
 */
export interface BootServerIdentity {
  /** FLEETBOOT_BOOTD_NAME */
  name: string;
  /** FLEETBOOT_BOOTD_CREDENTIAL, or the first line of FLEETBOOT_BOOTD_CREDENTIAL_FILE */
  credential: string;
  /** FLEETBOOT_CONSOLE_URL: where artifacts are pulled from (null: not configured). */
  consoleUrl: string | null;
  /** Where the console reaches the status endpoint (registered): FLEETBOOT_BOOTD_STATUS_URL. */
  statusUrl: string;
  /** FLEETBOOT_BOOTD_HEARTBEAT_MS (tests); the console expects bootServerHeartbeatSeconds. */
  heartbeatMs: number;
}

export interface BootdProcessConfig extends BootdConfig {
  databaseUrl: string;
  /** bootd's own status endpoint (health, metrics, hosts' syslog tails), for the web process. */
  adminPort: number;
  /** FLEETBOOT_BOOTD_ADMIN_BIND (127.0.0.1 unnamed, 0.0.0.0 named). */
  adminBindAddress: string;
  bootServer: BootServerIdentity | null;
  /** UDP port of the syslog receiver (boot-services/syslog/); 514, the one DHCP option 7 implies. */
  syslogPort: number;
  enableSyslog: boolean;
  /** A boot server pulling from FLEETBOOT_CONSOLE_URL keeps its artifacts in <stateDir>/artifacts. */
  artifactCache: ArtifactCacheConfig;
}

export interface ArtifactCacheConfig {
  /** FLEETBOOT_ARTIFACT_CACHE_BYTES: least recently used artifacts go past it (never pinned ones). */
  limitBytes: number;
  /** FLEETBOOT_ARTIFACT_PULLS: pulls from the console at once. */
  maxConcurrentPulls: number;
}

export const defaultArtifactCacheBytes = 20 * 1024 ** 3;
export const defaultArtifactPulls = 2;

function positiveNumber(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return n;
}

/**
 * The configuration, with the boot interfaces' addresses as the kernel has them now. Throws
 * BootInterfaceNotReady while a named interface has no IPv4 address or is down (main.ts waits
 * and retries); an interface without carrier is ready: its address can be bound, and clients
 * are answered as soon as the link comes up.
 */
export function loadBootdConfig(env: Record<string, string | undefined> = process.env, readInterfaces: () => KernelInterface[] = readKernelInterfaces): BootdProcessConfig {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set');
  const names = parseInterfaceList(env.FLEETBOOT_BOOT_INTERFACE);
  const bootInterfaces: BootInterface[] = [];
  const bootAddresses6: string[] = [];
  if (names.length > 0) {
    const kernel = readInterfaces();
    const notReady = names.map((n) => interfaceNotReadyReason(n, kernel)).filter((r): r is string => r !== null);
    if (notReady.length > 0) throw new BootInterfaceNotReady(notReady);
    for (const name of names) {
      const found = kernel.find((i) => i.name === name)!;
      bootInterfaces.push({ name, address: found.ipv4[0]! });
      bootAddresses6.push(...(found.ipv6 ?? []));
    }
  }
  const interfaceName = bootInterfaces[0]?.name ?? null;
  const serverAddress = env.FLEETBOOT_BOOTD_ADDRESS || bootInterfaces[0]?.address || '127.0.0.1';
  // TFTP, HTTP and syslog listen on the boot interfaces' addresses, not on every LAN of the
  // machine; FLEETBOOT_BOOTD_BIND (an address, or 0.0.0.0 for all) says otherwise.
  const bindAddress = env.FLEETBOOT_BOOTD_BIND || serverAddress;
  // IPv6 clients (DHCPv6's tftp:// and http:// boot URLs) reach TFTP and HTTP on the boot
  // interfaces' global IPv6 addresses, read at start like the IPv4 ones.
  const listenAddresses = env.FLEETBOOT_BOOTD_BIND ? undefined : [...new Set([serverAddress, ...bootInterfaces.map((i) => i.address), ...bootAddresses6])];
  const httpPort = int(env, 'FLEETBOOT_BOOT_HTTP_PORT', defaultBootHttpPort);
  const services = new Set((env.FLEETBOOT_SERVICES ?? defaultServices).split(',').map((s) => s.trim()).filter(Boolean));
  const dataDir = path.resolve(env.FLEETBOOT_DATA_DIR ?? 'data');
  const { adminPort, adminBindAddress } = adminListenFromEnv(env);
  const bootServer = loadBootServerIdentity(env, serverAddress, adminPort);
  return {
    databaseUrl,
    serverAddress,
    bindAddress,
    listenAddresses,
    interfaceName,
    bootInterfaces,
    dhcpPort: int(env, 'FLEETBOOT_DHCP_PORT', 67),
    dhcpClientPort: int(env, 'FLEETBOOT_DHCP_CLIENT_PORT', 68),
    tftpPort: int(env, 'FLEETBOOT_TFTP_PORT', 69),
    httpPort,
    adminPort,
    adminBindAddress,
    bootServer,
    syslogPort: int(env, 'FLEETBOOT_SYSLOG_PORT', standardSyslogPort),
    bootloaderDirs: env.FLEETBOOT_BOOTLOADER_DIRS ? env.FLEETBOOT_BOOTLOADER_DIRS.split(':') : defaultBootloaderDirs,
    stateDir: path.resolve(env.FLEETBOOT_BOOTD_STATE_DIR ?? path.join(dataDir, 'bootd')),
    httpBaseUrl: bootHttpBaseUrl(env.FLEETBOOT_BOOT_HTTP_URL, serverAddress, httpPort),
    // DHCP only with an explicit interface (or explicitly listed in FLEETBOOT_SERVICES).
    enableDhcp: services.has('dhcp') && (bootInterfaces.length > 0 || env.FLEETBOOT_SERVICES !== undefined),
    enableTftp: services.has('tftp'),
    enableHttp: services.has('http'),
    enableSyslog: services.has('syslog'),
    artifactCache: {
      limitBytes: positiveNumber(env, 'FLEETBOOT_ARTIFACT_CACHE_BYTES', defaultArtifactCacheBytes),
      maxConcurrentPulls: positiveNumber(env, 'FLEETBOOT_ARTIFACT_PULLS', defaultArtifactPulls),
    },
  };
}

function loadBootServerIdentity(env: Record<string, string | undefined>, serverAddress: string, adminPort: number): BootServerIdentity | null {
  const name = env.FLEETBOOT_BOOTD_NAME?.trim();
  if (!name) return null;
  let credential = env.FLEETBOOT_BOOTD_CREDENTIAL?.trim() ?? '';
  if (!credential && env.FLEETBOOT_BOOTD_CREDENTIAL_FILE) {
    try {
      credential = fs.readFileSync(env.FLEETBOOT_BOOTD_CREDENTIAL_FILE, 'utf8').split('\n', 1)[0]!.trim();
    } catch (err) {
      throw new Error(`FLEETBOOT_BOOTD_CREDENTIAL_FILE can't be read: ${(err as Error).message}`);
    }
  }
  if (!credential) throw new Error(`FLEETBOOT_BOOTD_NAME=${name} needs its credential (FLEETBOOT_BOOTD_CREDENTIAL or FLEETBOOT_BOOTD_CREDENTIAL_FILE), shown once when the boot server was made in the console`);
  const consoleUrl = env.FLEETBOOT_CONSOLE_URL?.trim().replace(/\/+$/, '') || null;
  if (consoleUrl && !/^https?:\/\/[^/]+/.test(consoleUrl)) throw new Error(`FLEETBOOT_CONSOLE_URL must be an http(s) URL, got "${consoleUrl}"`);
  const statusUrl = env.FLEETBOOT_BOOTD_STATUS_URL?.trim().replace(/\/+$/, '') || `http://${serverAddress}:${adminPort}`;
  const heartbeatMs = Number(env.FLEETBOOT_BOOTD_HEARTBEAT_MS) || bootServerHeartbeatSeconds * 1000;
  return { name, credential, consoleUrl, statusUrl, heartbeatMs };
}

/**
 * Two bootd on one boot network (DESIGN.md "Growing past one machine"). FLEETBOOT_BOOTD_ID
 * names this bootd (default: host name and server address); FLEETBOOT_DHCP_PEERS lists the
 * peers' ids (default: found in the database, by boot network). FLEETBOOT_DHCP_HEARTBEAT_MS
 * and FLEETBOOT_DHCP_TAKEOVER_SECS tune how soon a survivor serves a gone peer's clients.
 */
export function loadDhcpPeeringConfig(env: Record<string, string | undefined> = process.env, serverAddress = '0.0.0.0'): DhcpPeeringConfig {
  const positive = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
    return n;
  };
  return {
    bootdId: env.FLEETBOOT_BOOTD_ID || env.FLEETBOOT_BOOTD_NAME?.trim() || `${os.hostname()}/${serverAddress}`,
    peers: (env.FLEETBOOT_DHCP_PEERS ?? '').split(',').map((p) => p.trim()).filter(Boolean),
    heartbeatMs: positive('FLEETBOOT_DHCP_HEARTBEAT_MS', defaultHeartbeatMs),
    takeoverAfterSecs: positive('FLEETBOOT_DHCP_TAKEOVER_SECS', defaultTakeoverAfterSecs),
  };
}
