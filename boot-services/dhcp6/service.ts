// Starts bootd's DHCPv6 service (called by boot-services/main.ts): bootd's DUID (kept in the
// state directory, so clients see the same server after a restart), the Postgres lease store,
// the policy over the shared view, and one udp6 socket on [::]:547 that joins
// All_DHCP_Relay_Agents_and_Servers (ff02::1:2) on each boot interface. Clients on the link send
// from their link-local address, which Node reports with its scope ("fe80::…%eth1"): bootd
// answers only those of its boot interfaces (the rule DHCPv4 keeps with one socket bound to
// each), each for that interface's network, and relays (RFC 8415 §19) from anywhere.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import type { BootdContext, Logger, RunningService } from '../bootd-context.ts';
import type { NetworkView } from '../../lib/boot/boot-view.ts';
import { ipv6PrefixContains, parseIPv6, parseIPv6Prefix } from '../../lib/ipv6.ts';
import type { PgDhcp6LeaseStore } from '../store/dhcp6-leases.ts';
import { interfaceIpv6Address, loadDhcp6Config, type Dhcp6Config } from './config.ts';
import { DuidType, allRelayAgentsAndServers, hardwareTypeEthernet } from './options.ts';
import { Dhcp6Policy } from './policy.ts';
import { Dhcp6Server } from './server.ts';

const duidFileName = 'dhcp6-server-duid';
/** RFC 8415 §11.2: DUID-LLT time counts seconds from midnight UTC, 1 January 2000. */
const duidEpochMs = Date.UTC(2000, 0, 1);

/**
 * bootd's DUID (RFC 8415 §11): read from the state directory, or made once and stored (fsynced)
 * before first use. A DUID-LLT of the boot interface's MAC when it has one, else a DUID-UUID
 * (RFC 6355) of random bytes. Clients that got a lease keep talking to this id (Renew, Release).
 */
export function loadOrCreateServerDuid(stateDir: string, interfaceName: string | null, nowMs = Date.now()): Buffer {
  const file = path.join(stateDir, duidFileName);
  try {
    const hex = fs.readFileSync(file, 'utf8').trim();
    if (/^([0-9a-f]{2}){3,130}$/.test(hex)) return Buffer.from(hex, 'hex');
  } catch { /* first start */ }
  let mac: Buffer | null = null;
  try {
    const text = interfaceName ? fs.readFileSync(`/sys/class/net/${interfaceName}/address`, 'utf8').trim() : '';
    if (/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(text) && text !== '00:00:00:00:00:00') mac = Buffer.from(text.replace(/:/g, ''), 'hex');
  } catch { /* no such interface: a UUID DUID */ }
  let duid: Buffer;
  if (mac) {
    duid = Buffer.alloc(14);
    duid.writeUInt16BE(DuidType.LinkLayerPlusTime, 0);
    duid.writeUInt16BE(hardwareTypeEthernet, 2);
    duid.writeUInt32BE(Math.floor((nowMs - duidEpochMs) / 1000) >>> 0, 4);
    mac.copy(duid, 8);
  } else {
    duid = Buffer.concat([Buffer.from([0, DuidType.Uuid]), randomBytes(16)]);
  }
  fs.mkdirSync(stateDir, { recursive: true });
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, `${duid.toString('hex')}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  return duid;
}

/** The network of clients on bootd's own link: the one whose IPv6 prefix holds bootd's IPv6 address, else bootd's IPv4 network when it has a prefix. */
export function directNetworkOf(networks: readonly NetworkView[], serverAddress6: string | null, v4Network: NetworkView | null): NetworkView | null {
  const addr = serverAddress6 ? parseIPv6(serverAddress6) : null;
  if (addr !== null) {
    for (const n of networks) {
      const prefix = n.ipv6Prefix ? parseIPv6Prefix(n.ipv6Prefix) : null;
      if (prefix && ipv6PrefixContains(prefix, addr)) return n;
    }
  }
  return v4Network?.ipv6Prefix ? v4Network : null;
}

/** A boot interface as DHCPv6 sees it: its name, its IPv4 address, its first global IPv6 address. */
interface Dhcp6Link {
  name: string;
  address: string;
  address6: string | null;
}

/** What the DHCPv6 service keeps in PostgreSQL (boot-services/store/). */
export interface Dhcp6Stores {
  openLeases: (log: Logger) => Promise<PgDhcp6LeaseStore>;
}

export async function startDhcp6Service(ctx: BootdContext, stores: Dhcp6Stores, config: Dhcp6Config = loadDhcp6Config(process.env, { interfaceName: ctx.config.interfaceName })): Promise<RunningService> {
  const { log, metrics, view } = ctx;
  const interfaceName = ctx.config.interfaceName;
  const links: Dhcp6Link[] = (ctx.config.bootInterfaces ?? []).map((i, n) => ({
    ...i, address6: n === 0 ? config.serverAddress6 : interfaceIpv6Address(i.name),
  }));
  const serverDuid = loadOrCreateServerDuid(ctx.config.stateDir, interfaceName);
  const leases = await stores.openLeases(log);
  const policy = new Dhcp6Policy({
    view, leases, serverDuid, serverAddress6: config.serverAddress6, httpPort: ctx.config.httpPort,
    // The network of the boot interface the client came in on (without boot interfaces, bootd's own).
    directNetwork: (link) => {
      const on = links.find((l) => l.name === link);
      if (on) return directNetworkOf(view.networks(), on.address6, view.findNetworkContaining(on.address));
      return links.length > 0 ? null : directNetworkOf(view.networks(), config.serverAddress6, view.findNetworkContaining(ctx.config.serverAddress));
    },
  });
  const socket = dgram.createSocket({ type: 'udp6', reuseAddr: true });
  let lastSendErrorLogSecond = 0;
  const server = new Dhcp6Server({
    policy, events: ctx.events, metrics, log,
    acceptsLink: links.length > 0 ? (scope) => links.some((l) => l.name === scope) : null,
    transport: {
      send(bytes, port, address) {
        socket.send(bytes, port, address, (err) => {
          if (!err) return;
          metrics.inc('fleetboot_dhcp6_send_errors_total', 'DHCPv6 replies the kernel refused to send', {});
          const second = Math.floor(Date.now() / 1000);
          if (second !== lastSendErrorLogSecond) {
            lastSendErrorLogSecond = second;
            log.warn('DHCPv6 send failed', { to: address, error: err.message });
          }
        });
      },
    },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: '::', port: config.port, exclusive: true }, () => { socket.off('error', reject); resolve(); });
    });
    // RFC 8415 §7.1: clients on the link send to ff02::1:2; the group is joined on the boot
    // interfaces only (the scope names each). Another program on this machine may join it on
    // other LANs, and Linux then hands those Solicits to every socket on the port
    // (IPV6_MULTICAST_ALL): acceptsLink above drops them.
    if (links.length === 0) socket.addMembership(allRelayAgentsAndServers);
    for (const l of links) socket.addMembership(allRelayAgentsAndServers, `::%${l.name}`);
  } catch (err) {
    socket.close();
    await leases.close();
    throw err;
  }
  socket.on('message', (bytes, rinfo) => void server.handleDatagram(bytes, rinfo));
  socket.on('error', (err) => log.error('DHCPv6 socket error', { error: err.message }));
  log.info('DHCPv6 listening', { port: config.port, group: allRelayAgentsAndServers, interfaces: links.map((l) => l.name), serverAddress6: config.serverAddress6, serverDuid: serverDuid.toString('hex'), leases: leases.size });
  return {
    name: 'dhcp6',
    async close() {
      await new Promise<void>((r) => socket.close(() => r()));
      await leases.close();
    },
  };
}
