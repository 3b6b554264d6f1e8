// bootd configuration from the environment. DHCP answers only on an interface the operator
// names (FLEETBOOT_BOOT_INTERFACE): a DHCP server that starts by itself on whatever network
// the machine sits on would hand out addresses to strangers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bootServerHeartbeatSeconds } from '../lib/boot-server-heartbeat.ts';
import { standardSyslogPort, type BootdConfig } from './bootd-context.ts';
import { defaultHeartbeatMs, defaultTakeoverAfterSecs, type DhcpPeeringConfig } from './dhcp/peer-heartbeat.ts';

/**
 * What bootd runs unless FLEETBOOT_SERVICES says otherwise. Syslog is on: diskless hosts have
 * nowhere else to keep their logs, and a failed health gate shows the spare's last lines.
 */
export const defaultServices = 'dhcp,tftp,http,syslog';

export const defaultBootloaderDirs = ['/usr/lib/PXELINUX', '/usr/lib/syslinux/modules/bios', '/usr/lib/ipxe'];

function int(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return n;
}

function interfaceAddress(name: string): string | null {
  const addrs = os.networkInterfaces()[name] ?? [];
  return addrs.find((a) => a.family === 'IPv4' && !a.internal)?.address ?? null;
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
  /** FLEETBOOT_BOOTD_ADMIN_BIND (127.0.0.1). */
  adminBindAddress: string;
  bootServer: BootServerIdentity | null;
  /** UDP port of the syslog receiver (boot-services/syslog/); 514, the one DHCP option 7 implies. */
  syslogPort: number;
  enableSyslog: boolean;
}

export function loadBootdConfig(env: Record<string, string | undefined> = process.env): BootdProcessConfig {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set');
  const interfaceName = env.FLEETBOOT_BOOT_INTERFACE || null;
  const serverAddress = env.FLEETBOOT_BOOTD_ADDRESS || (interfaceName ? interfaceAddress(interfaceName) : null) || '127.0.0.1';
  if (interfaceName && !env.FLEETBOOT_BOOTD_ADDRESS && !interfaceAddress(interfaceName)) {
    throw new Error(`FLEETBOOT_BOOT_INTERFACE=${interfaceName} has no IPv4 address; set FLEETBOOT_BOOTD_ADDRESS or configure the interface`);
  }
  const httpPort = int(env, 'FLEETBOOT_BOOT_HTTP_PORT', 8080);
  const services = new Set((env.FLEETBOOT_SERVICES ?? defaultServices).split(',').map((s) => s.trim()).filter(Boolean));
  const dataDir = path.resolve(env.FLEETBOOT_DATA_DIR ?? 'data');
  const adminPort = int(env, 'FLEETBOOT_BOOTD_ADMIN_PORT', 9467);
  const bootServer = loadBootServerIdentity(env, serverAddress, adminPort);
  return {
    databaseUrl,
    serverAddress,
    bindAddress: env.FLEETBOOT_BOOTD_BIND || (interfaceName ? '0.0.0.0' : serverAddress),
    interfaceName,
    dhcpPort: int(env, 'FLEETBOOT_DHCP_PORT', 67),
    dhcpClientPort: int(env, 'FLEETBOOT_DHCP_CLIENT_PORT', 68),
    tftpPort: int(env, 'FLEETBOOT_TFTP_PORT', 69),
    httpPort,
    adminPort,
    adminBindAddress: env.FLEETBOOT_BOOTD_ADMIN_BIND || '127.0.0.1',
    bootServer,
    syslogPort: int(env, 'FLEETBOOT_SYSLOG_PORT', standardSyslogPort),
    bootloaderDirs: env.FLEETBOOT_BOOTLOADER_DIRS ? env.FLEETBOOT_BOOTLOADER_DIRS.split(':') : defaultBootloaderDirs,
    stateDir: path.resolve(env.FLEETBOOT_BOOTD_STATE_DIR ?? path.join(dataDir, 'bootd')),
    httpBaseUrl: env.FLEETBOOT_BOOT_HTTP_URL || `http://${serverAddress}:${httpPort}`,
    // DHCP only with an explicit interface (or explicitly listed in FLEETBOOT_SERVICES).
    enableDhcp: services.has('dhcp') && (interfaceName !== null || env.FLEETBOOT_SERVICES !== undefined),
    enableTftp: services.has('tftp'),
    enableHttp: services.has('http'),
    enableSyslog: services.has('syslog'),
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
