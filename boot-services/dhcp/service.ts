// Starts bootd's DHCP service (called by boot-services/main.ts): the Postgres lease store,
// the heartbeats and RFC 3074 split with a peer bootd, the discovery-list writer, the policy
// over the shared view, and the UDP sockets. One socket on 0.0.0.0 receives the clients'
// broadcasts; replies leave from a socket bound to the server address, so a broadcast reply
// goes out of the boot interface and carries our address as its source.
import dgram from 'node:dgram';
import { clientHostsOf, type BootdContext, type RunningService } from '../bootd-context.ts';
import { loadDhcpPeeringConfig } from '../config.ts';
import { setUpBootFiles } from '../boot-config/boot-files-setup.ts';
import { signedUefiChainInstalled } from '../boot-config/bootloaders.ts';
import { DiscoveryWriter } from './discovery-writer.ts';
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
}

export async function startDhcpService(ctx: BootdContext, stores: DhcpStores, peeringConfig: DhcpPeeringConfig = loadDhcpPeeringConfig(process.env, ctx.config.serverAddress)): Promise<RunningService> {
  const { config, log, metrics } = ctx;
  const reuseFraction = leaseReuseFraction();
  const peering = new DhcpPeering({
    pool: ctx.pool, config: peeringConfig, serverAddress: config.serverAddress, log, metrics, events: ctx.events,
    networkId: () => ctx.view.findNetworkContaining(config.serverAddress)?.id ?? null,
  });
  await peering.start();
  const leases = await PgLeaseStore.open({ pool: ctx.pool, log, metrics, refreshMs: leaseRefreshMs, othersWriting: () => peering.hasPeers(), reuseFraction })
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
  const policy = new DhcpPolicy({ view: ctx.view, leases, config, scope: peering, discovery, logServer: ctx.logServer, uefiChainWithoutRole: signedChain ? 'secure_boot' : 'ipxe' });

  const sockets: dgram.Socket[] = [];
  try {
    const listener = await bindSocket(config.bindAddress, config.dhcpPort);
    sockets.push(listener);
    let sender = listener;
    let lastSendErrorLogSecond = 0;
    if (config.bindAddress === '0.0.0.0' && config.serverAddress !== '0.0.0.0') {
      // Unicast to the server address (relays, renewing clients) arrives here too.
      sender = await bindSocket(config.serverAddress, config.dhcpPort).catch((err: Error) => {
        log.warn('DHCP replies will leave from 0.0.0.0: could not bind the server address', { address: config.serverAddress, error: err.message });
        return listener;
      });
      if (sender !== listener) sockets.push(sender);
    }
    const server = new DhcpServer({
      policy,
      events: ctx.events,
      metrics,
      log,
      clientPort: config.dhcpClientPort,
      serverPort: config.dhcpPort,
      transport: {
        send(bytes, port, address) {
          sender.send(bytes, port, address, (err) => {
            if (err) {
              metrics.inc('fleetboot_dhcp_send_errors_total', 'DHCP replies the kernel refused to send', {});
              // A flood of replies to unroutable relays must not flood the log: one line a second.
              const second = Math.floor(Date.now() / 1000);
              if (second !== lastSendErrorLogSecond) {
                lastSendErrorLogSecond = second;
                log.warn('DHCP send failed', { to: address, error: err.message });
              }
            }
          });
        },
      },
    });
    for (const socket of sockets) {
      socket.on('message', (bytes, rinfo) => void server.handleDatagram(bytes, rinfo));
      socket.on('error', (err) => log.error('DHCP socket error', { error: err.message }));
    }
    log.info('DHCP listening', {
      bind: config.bindAddress, port: config.dhcpPort, serverId: config.serverAddress, receiveBufferBytes: listener.getRecvBufferSize(),
      bootdId: peeringConfig.bootdId, peers: peering.status().members.filter((m) => m !== peeringConfig.bootdId),
    });
    return {
      name: 'dhcp',
      async close() {
        clientHostsOf(ctx).useLeaseBook(null);
        await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
        server.close();
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
