// The bootd process (DESIGN.md "Processes"): loads the view, starts the enabled boot services
// (DHCP, TFTP, HTTP boot, syslog), writes events in batches, serves health and metrics on 127.0.0.1,
// and shuts down cleanly on SIGINT/SIGTERM. Run alone with `fleetboot bootd` or under the
// supervisor (`npm start`).
import http from 'node:http';
import path from 'node:path';
import { type BootdContext, type RunningService } from './bootd-context.ts';
import { readKernelInterfaces } from './boot-interfaces.ts';
import { adminListenFromEnv, loadBootdConfig } from './config.ts';
import { discoveryEnvironmentStatus } from './boot-config/boot-files-setup.ts';
import { interfaceHealth, waitForBootInterfaces } from './interface-wait.ts';
import { ConfigCache } from './config-cache.ts';
import { EventWriter } from './events/event-writer.ts';
import { RefusalSummary } from './events/refusal-summary.ts';
import { startEventRetention } from './events/event-retention.ts';
import { liveStateSettings, startStallWatch } from './events/stall-watch.ts';
import { createLogger } from './logger.ts';
import { Metrics } from './metrics.ts';
import { exitWhenParentDies } from './parent-watch.ts';
import { startDhcpService } from './dhcp/service.ts';
import { loadDhcp6Config } from './dhcp6/config.ts';
import { startDhcp6Service } from './dhcp6/service.ts';
import { startTftpService } from './tftp/service.ts';
import { clientAddress, startHttpService } from './http/service.ts';
import { startSyslogService, type SyslogService } from './syslog/service.ts';
import { ClientHosts } from './client-hosts.ts';
import { createBootAgentApi } from './agent/service.ts';
import { BootServerHeartbeat, machineAddresses } from './registry/heartbeat.ts';
import { bootdActor, openBootdStore } from './store/bootd-store.ts';
import { hashSecret } from '../lib/node/secret-hash.ts';
import { consoleSignatureHeader, verifyConsoleRequest } from '../lib/node/console-signature.ts';
import { ArtifactSync } from './artifacts/artifact-sync.ts';
import packageJson from '../package.json' with { type: 'json' };


const log = createLogger('bootd');

type AdminHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function main(): Promise<void> {
  const metrics = new Metrics();
  // The status endpoint answers from the start, also while bootd waits for its boot interfaces.
  const { adminPort, adminBindAddress } = adminListenFromEnv(process.env);
  let waitingFor: string | null = null;
  let answer: AdminHandler = (req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, state: 'waiting-for-interface', waitingFor }));
    } else if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.render());
    } else {
      res.writeHead(404).end();
    }
  };
  const admin = http.createServer((req, res) => answer(req, res));
  await new Promise<void>((resolve, reject) => {
    admin.once('error', reject);
    admin.listen(adminPort, adminBindAddress, () => resolve());
  }).catch((err: Error) => log.warn('status endpoint not started', { port: adminPort, error: err.message }));
  let stopping = false;
  let stopServices: (() => Promise<void>) | null = null;
  async function shutdown(signal: string, exitCode = 0) {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    await stopServices?.();
    admin.close();
    process.exit(exitCode);
  }
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  exitWhenParentDies(() => void shutdown('supervisor gone'));

  const config = await waitForBootInterfaces(() => loadBootdConfig(), {
    log,
    onWaiting: (reason) => {
      waitingFor = reason;
      metrics.set('fleetboot_bootd_waiting_for_interface', 'Whether bootd waits for a boot interface to get its address or come up', {}, reason ? 1 : 0);
    },
  });
  const dhcp6 = loadDhcp6Config(process.env, { interfaceName: config.interfaceName });
  const store = openBootdStore({ databaseUrl: config.databaseUrl, actor: bootdActor(config.bootServer?.name ?? null), log });
  // A boot server with the console's URL pulls its artifacts into its own cache and serves
  // only from it; without one, bootd reads them where the console stored them (one machine).
  const identity = config.bootServer;
  let artifacts: ArtifactSync | null = null;
  const view: ConfigCache = new ConfigCache({
    databaseUrl: config.databaseUrl,
    stateDir: config.stateDir,
    bootServerName: identity?.name ?? null,
    log,
    onChange: () => {
      metrics.set('fleetboot_view_hosts', 'Hosts in bootd\'s view', {}, view.hostCount());
      artifacts?.viewChanged();
    },
  });
  await view.start();
  if (identity?.consoleUrl) {
    artifacts = new ArtifactSync({
      view, origin: { consoleUrl: identity.consoleUrl, credential: identity.credential }, dir: path.join(config.stateDir, 'artifacts'),
      limitBytes: config.artifactCache.limitBytes, maxConcurrentPulls: config.artifactCache.maxConcurrentPulls, log, metrics,
    });
    await artifacts.start();
  } else if (identity) {
    log.warn('FLEETBOOT_CONSOLE_URL is not set: artifacts are read at the console\'s paths, which only works on the console\'s machine');
  }
  const events = new EventWriter({ store: store.events, stateDir: config.stateDir, log, metrics });
  // A named bootd registers before it answers anyone: a wrong name or credential stops it here.
  const registry = identity
    ? new BootServerHeartbeat({
      store: store.bootServer(identity.name, hashSecret(identity.credential)),
      name: identity.name,
      intervalMs: identity.heartbeatMs,
      log,
      onRefused: (why) => {
        log.error(`${why}; stopping`);
        void shutdown('boot server refused', 1);
      },
      report: () => ({
        version: packageJson.version,
        addresses: machineAddresses(config.serverAddress),
        statusUrl: identity.statusUrl,
        networksServed: view.networks().map((n) => n.name).sort(),
        viewSeq: view.seq,
        viewLive: view.live,
        ...artifactReport(artifacts),
        spoolDepth: events.pending(),
      }),
    })
    : null;
  await registry?.start();
  // Stalled/offline hosts and event retention (boot-services/events/stall-watch.ts says why here).
  const liveState = liveStateSettings();
  const stallWatch = startStallWatch({ store: store.events, log, metrics, offlineSeconds: liveState.offlineSeconds });
  const retention = startEventRetention({ store: store.events, log, metrics, retentionDays: liveState.retentionDays });
  let syslog: SyslogService | null = null;
  // DHCP (option 7) and the agent's identity tell hosts where to send their logs, once syslog listens.
  let lastLookupWarnMs = 0;
  // One resolver of client addresses for every service; the DHCP service hands it its lease book.
  const clients = new ClientHosts({
    view,
    findLeaseHolderMac: (ip) => store.leaseHolders.findLeaseHolderMac(ip),
    onLookupError: (ip, err) => {
      metrics.inc('fleetboot_client_lookup_errors_total', 'Lease lookups of a client address that failed (the client counts as unknown)', {});
      // A database outage must not flood bootd's own log: one line a minute.
      if (Date.now() - lastLookupWarnMs < 60_000) return;
      lastLookupWarnMs = Date.now();
      log.warn('client lease lookup failed; the client counts as unknown', { ip, error: err.message });
    },
  });
  const ctx: BootdContext = { config, view, events, metrics, log, clients, artifacts, logServer: () => syslog?.logServer() ?? null };

  // The boot agent API rides on the HTTP boot port; closed last so its state batch is flushed.
  // Refused requests from the agent API and the status endpoint: counted per source, an event once a source and minute.
  const refusals = new RefusalSummary({ events, metrics, log });
  const agentApi = createBootAgentApi(ctx, { records: store.agent, discovery: store.discovery }, refusals);
  const services: RunningService[] = [agentApi];
  const starters: Array<[boolean, string, () => Promise<RunningService>]> = [
    [config.enableHttp, 'http', () => startHttpService(ctx, agentApi.routes)],
    [config.enableTftp, 'tftp', () => startTftpService(ctx)],
    // Starts even when its port is taken (status and metrics say so): hosts' logs never stop a boot.
    [config.enableSyslog, 'syslog', async () => (syslog = await startSyslogService({ ...ctx, config }))],
    [config.enableDhcp, 'dhcp', () => startDhcpService(ctx, { sightings: store.discovery, leases: store.leases, peers: store.peers })],
    [dhcp6.enabled, 'dhcp6', () => startDhcp6Service(ctx, { openLeases: store.openDhcp6Leases }, dhcp6)],
  ];
  for (const [enabled, name, start] of starters) {
    if (!enabled) {
      log.info(`${name} disabled`, name === 'dhcp' ? { hint: 'set FLEETBOOT_BOOT_INTERFACE to the boot network interface to answer DHCP' } : undefined);
      continue;
    }
    services.push(await start());
    log.info(`${name} started`);
  }

  answer = (req, res) => {
    if (req.url === '/healthz') {
      const discovery = discoveryEnvironmentStatus(config.stateDir);
      const bootInterfaces = config.bootInterfaces ?? [];
      let interfaces: ReturnType<typeof interfaceHealth> | { error: string } = [];
      try { interfaces = interfaceHealth(bootInterfaces, bootInterfaces.length > 0 ? readKernelInterfaces() : []); } catch (err) { interfaces = { error: (err as Error).message }; }
      const body = JSON.stringify({
        ok: true, viewLive: view.live, viewSeq: view.seq.toString(), hosts: view.hostCount(), eventsPending: events.pending(), services: services.map((s) => s.name),
        syslog: syslog?.status() ?? { state: 'disabled' }, interfaces, discovery,
        errors: discovery.problem ? [discovery.problem] : [],
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    } else if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.render());
    } else if (syslog && req.url?.startsWith('/logs/')) {
      // A named bootd's status endpoint listens beyond loopback: hosts' logs go to the console only.
      if (identity && !verifyConsoleRequest(hashSecret(identity.credential), req.method ?? 'GET', req.url, req.headers[consoleSignatureHeader] as string | undefined)) {
        refusals.refused({ service: 'bootd', clientIp: clientAddress(req), route: 'logs', status: 401, reason: `no valid ${consoleSignatureHeader}` });
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `hosts' logs need the console's signature (${consoleSignatureHeader})` }));
        return;
      }
      void syslog.answerTailRequest(req, res);
    } else {
      res.writeHead(404).end();
    }
  };
  stopServices = async () => {
    for (const s of services.reverse()) await s.close().catch((err) => log.warn(`closing ${s.name} failed`, { error: (err as Error).message }));
    // Requests already answered may still wait for their client's lease lookup to record their events.
    await clients.settle(5_000);
    refusals.close();
    await stallWatch.stop();
    await retention.stop();
    artifacts?.close();
    await registry?.stop();
    await events.close();
    await view.close();
    await store.close();
  };
  log.info('bootd ready', { serverAddress: config.serverAddress, httpBaseUrl: config.httpBaseUrl, adminPort, interfaces: (config.bootInterfaces ?? []).map((i) => `${i.name} (${i.address})`) });
}

/** The heartbeat's artifact fields: synced of needed, cache bytes and state (nothing to sync without a cache). */
function artifactReport(artifacts: ArtifactSync | null) {
  if (!artifacts) return { artifactsNeeded: 0, artifactsSynced: 0, cacheBytes: 0, cacheState: {} };
  const s = artifacts.status();
  return { artifactsNeeded: s.needed, artifactsSynced: s.synced, cacheBytes: s.cacheBytes, cacheState: s.state };
}

main().catch((err) => {
  log.error('bootd failed to start', { error: (err as Error).message });
  process.exit(1);
});
