// Starts bootd's DHCP service (called by boot-services/main.ts): the Postgres lease store,
// the heartbeats and RFC 3074 split with a peer bootd, the discovery-list writer, the policy
// over the shared view, and the UDP sockets: one bound to each boot interface (the native
// bound-udp addon: boot-services/README.md "Design notes" says why), and one on the server
// address for relays.
import dgram from 'node:dgram';
import { openInterfaceSocket } from '../native/bound-udp/index.ts';
import { clientHostsOf, type BootdContext, type RunningService } from '../bootd-context.ts';
import { loadDhcpPeeringConfig } from '../config.ts';
import { setUpBootFiles } from '../boot-config/boot-files-setup.ts';
import { signedUefiChainInstalled } from '../boot-config/bootloaders.ts';
import { DiscoveryWriter } from './discovery-writer.ts';
import type { BootdPeerTable } from '../store/bootd-peers.ts';
import type { LeaseTable } from '../store/dhcp-leases.ts';
import type { SightingsTable } from '../store/discovery.ts';
import { DhcpPeering, type DhcpPeeringConfig } from './peer-heartbeat.ts';
import { leaseReuseFraction } from './lease-store.ts';
import { PgLeaseStore } from './pg-lease-store.ts';
import { DhcpPolicy } from './policy.ts';
import { DhcpServer } from './server.ts';

/**
 * Asked of the kernel for each socket: a boot storm arrives in bursts, and the default buffer
 * (~208 KiB, some 600 DISCOVERs) overflows before the loop drains it. The kernel caps it at
 * net.core.rmem_max; the size obtained is logged.
 */
const receiveBufferBytes = 4 * 1024 * 1024;
/** The lease book reads other bootd's changes this often (and rereads everything every 5 minutes). */
const leaseRefreshMs = 2000;

function bindSocket(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    socket.once('error', reject);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', reject);
      socket.setBroadcast(true);
      try { socket.setRecvBufferSize(receiveBufferBytes); } catch { /* capped or refused: the size obtained is logged */ }
      resolve(socket);
    });
  });
}

/** What the DHCP service keeps in PostgreSQL (boot-services/store/). */
export interface DhcpStores {
  sightings: SightingsTable;
  leases: LeaseTable;
  peers: BootdPeerTable;
}

export async function startDhcpService(ctx: BootdContext, stores: DhcpStores, peeringConfig: DhcpPeeringConfig = loadDhcpPeeringConfig(process.env, ctx.config.serverAddress)): Promise<RunningService> {
  const { config, log, metrics } = ctx;
  const reuseFraction = leaseReuseFraction();
  const peering = new DhcpPeering({
    table: stores.peers, config: peeringConfig, serverAddress: config.serverAddress, log, metrics, events: ctx.events,
    networkId: () => ctx.view.findNetworkContaining(config.serverAddress)?.id ?? null,
  });
  await peering.start();
  const leases = await PgLeaseStore.open({ table: stores.leases, log, metrics, refreshMs: leaseRefreshMs, othersWriting: () => peering.hasPeers(), reuseFraction })
    .catch(async (err: unknown) => { await peering.close(); throw err; });
  // TFTP, HTTP and syslog tie pool-leased clients to their MAC through this book, without a query.
  clientHostsOf(ctx).useLeaseBook((ip, nowMs) => {
    const network = ctx.view.findNetworkContaining(ip);
    const lease = network ? leases.findLeaseByIp(network.id, ip) : null;
    return lease && lease.state === 'bound' && lease.expiresAtMs > nowMs ? lease.mac : null;
  });
  const discovery = new DiscoveryWriter({ table: stores.sightings, log, metrics });
  const signedChain = signedUefiChainInstalled((await setUpBootFiles(ctx)).bootloaders);
  if (!signedChain) log.warn('UEFI machines without a role get ipxe.efi, which Secure Boot refuses: install shim-signed and grub-efi-amd64-signed');
  const policyFor = (serverAddress: string) => new DhcpPolicy({
    view: ctx.view, leases, config: { ...config, serverAddress }, scope: peering, discovery, logServer: ctx.logServer, uefiChainWithoutRole: signedChain ? 'secure_boot' : 'ipxe',
  });

  const sockets: dgram.Socket[] = [];
  const servers: DhcpServer[] = [];
  let lastSendErrorLogSecond = 0;
  const serve = (socket: dgram.Socket, policy: DhcpPolicy, relayedOnly: boolean) => {
    const server = new DhcpServer({
      policy, relayedOnly, events: ctx.events, metrics, log, clientPort: config.dhcpClientPort, serverPort: config.dhcpPort,
      transport: {
        send(bytes, port, address) {
          socket.send(bytes, port, address, (err) => {
            if (!err) return;
            metrics.inc('fleetboot_dhcp_send_errors_total', 'DHCP replies the kernel refused to send', {});
            // A flood of replies to unroutable relays must not flood the log: one line a second.
            const second = Math.floor(Date.now() / 1000);
            if (second !== lastSendErrorLogSecond) {
              lastSendErrorLogSecond = second;
              log.warn('DHCP send failed', { to: address, error: err.message });
            }
          });
        },
      },
    });
    servers.push(server);
    socket.on('message', (bytes, rinfo) => void server.handleDatagram(bytes, rinfo));
    socket.on('error', (err) => log.error('DHCP socket error', { error: err.message }));
  };
  const bootInterfaces = config.bootInterfaces ?? [];
  try {
    // One socket per boot interface, bound to it (SO_BINDTODEVICE): it hears the broadcasts of
    // that LAN only, its replies leave through it, and its policy answers for that interface's
    // network with that interface's address as server identifier. Other LANs hear nothing.
    for (const [i, iface] of bootInterfaces.entries()) {
      const socket = await openInterfaceSocket(iface.name, '0.0.0.0', config.dhcpPort, receiveBufferBytes);
      sockets.push(socket);
      serve(socket, policyFor(i === 0 ? config.serverAddress : iface.address), false);
    }
    // Relays (giaddr) and renewing clients (ciaddr) unicast to the server address, possibly
    // through another interface: this socket takes only those (relayedOnly); the policy then
    // finds the network by giaddr or ciaddr, and a relay no network names gets no answer. Without
    // a named interface (DHCP enabled by FLEETBOOT_SERVICES alone) it is the only socket.
    const unicast = await bindSocket(bootInterfaces.length > 0 ? config.serverAddress : config.bindAddress, config.dhcpPort).catch((err: Error) => {
      if (bootInterfaces.length === 0) throw err;
      log.warn('DHCP relays can\'t reach bootd: could not bind the server address', { address: config.serverAddress, error: err.message });
      return null;
    });
    if (unicast) {
      sockets.push(unicast);
      serve(unicast, policyFor(config.serverAddress), bootInterfaces.length > 0);
    }
    log.info('DHCP listening', {
      interfaces: bootInterfaces.map((i) => `${i.name} (${i.address})`), relays: unicast ? `${config.serverAddress}:${config.dhcpPort}` : null,
      serverId: config.serverAddress, receiveBufferBytes: sockets[0]?.getRecvBufferSize(),
      bootdId: peeringConfig.bootdId, peers: peering.status().members.filter((m) => m !== peeringConfig.bootdId),
    });
    return {
      name: 'dhcp',
      async close() {
        clientHostsOf(ctx).useLeaseBook(null);
        await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
        for (const server of servers) server.close();
        await peering.close();
        await discovery.close();
        await leases.close();
      },
    };
  } catch (err) {
    for (const s of sockets) s.close();
    await peering.close();
    await discovery.close();
    await leases.close();
    throw err;
  }
}
