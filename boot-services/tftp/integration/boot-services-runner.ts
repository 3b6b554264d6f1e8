// Runs bootd's TFTP and/or HTTP service alone, for integration tests and benchmarks that need
// the server inside a network namespace: `node --import tsx boot-services-runner.ts <config.json>`.
// The config holds the BootdConfig fields and a fake view; events go to stdout as JSON lines,
// and a first line {"ready":{"tftpPort":n,"httpPort":n}} says the sockets are bound.
import { readFileSync } from 'node:fs';
import { clientHostsOf, type BootdConfig, type BootdContext, type RunningService } from '../../bootd-context.ts';
import { Metrics } from '../../metrics.ts';
import { FakeBootView } from '../../../lib/boot/testing/fake-boot-view.ts';
import { startTftpService, defaultTftpTuning } from '../service.ts';
import { startHttpService } from '../../http/service.ts';

export interface RunnerConfig {
  config: BootdConfig;
  view: Pick<FakeBootView, 'hosts' | 'roles' | 'images' | 'networkList'>;
  maxConcurrentTransfers?: number;
  /** Transfer worker threads (default: one per core; 0: main thread). */
  transferWorkers?: number;
  /** Benchmarks: don't print events (their volume would be measured too). */
  quiet?: boolean;
  /** Bound pool leases (client IP → MAC), as bootd's DHCP lease book would hold them. */
  leases?: Record<string, string>;
}

const runnerConfig = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as RunnerConfig;
const view = Object.assign(new FakeBootView(), runnerConfig.view);
const print = (obj: unknown) => process.stdout.write(JSON.stringify(obj) + '\n');
const ctx: BootdContext = {
  config: runnerConfig.config,
  view,
  events: { record: (e) => { if (!runnerConfig.quiet) print({ event: e }); } },
  metrics: new Metrics(),
  log: {
    info: (msg, fields) => { if (!runnerConfig.quiet) print({ log: 'info', msg, fields }); },
    warn: (msg, fields) => { if (!runnerConfig.quiet) print({ log: 'warn', msg, fields }); },
    error: (msg, fields) => print({ log: 'error', msg, fields }),
  },
};
const leases = runnerConfig.leases;
if (leases) clientHostsOf(ctx).useLeaseBook((ip) => leases[ip] ?? null);
const services: RunningService[] = [];
let tftpPort: number | null = null;
let httpPort: number | null = null;
if (ctx.config.enableTftp) {
  const tuning = defaultTftpTuning();
  if (runnerConfig.maxConcurrentTransfers) tuning.admission = { ...tuning.admission, maxConcurrentTransfers: runnerConfig.maxConcurrentTransfers };
  if (runnerConfig.transferWorkers !== undefined) tuning.transferWorkers = runnerConfig.transferWorkers;
  const tftp = await startTftpService(ctx, tuning);
  tftpPort = tftp.server.boundPort();
  services.push(tftp);
}
if (ctx.config.enableHttp) {
  const http = await startHttpService(ctx);
  httpPort = http.port;
  services.push(http);
}
print({ ready: { tftpPort, httpPort } });
// Tests read the metrics at the end: SIGUSR2 prints them.
process.on('SIGUSR2', () => print({ metrics: ctx.metrics.render() }));
const stop = async () => {
  for (const s of services.reverse()) await s.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
