// A two-namespace lab for the boot services: bootd's TFTP/HTTP (run by boot-services-runner.ts)
// in "srv", real Debian clients in "cli", joined by a veth with a 1500-byte MTU like a boot LAN.
// srv holds 10.77.0.1/24 and a second address 10.77.0.3/24 (replies must come from the one
// asked); cli is 10.77.0.2/24. Events printed by the runner are collected for assertions.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { NetnsLab, type LabNamespace } from '../../testing/netns-lab.ts';
import type { BootEventInput } from '../../events/event-sink.ts';
import type { RunnerConfig } from './boot-services-runner.ts';

export const serverIp = '10.77.0.1';
export const serverSecondIp = '10.77.0.3';
export const clientIp = '10.77.0.2';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface BootLab {
  server: LabNamespace;
  client: LabNamespace;
  tftpPort: number;
  httpPort: number;
  httpBaseUrl: string;
  events: BootEventInput[];
  scratchDir: string;
  /** The server process (for its memory use). */
  serverPid: number;
  /** The runner's Prometheus text (asks it with SIGUSR2). */
  metrics(): Promise<string>;
  dispose(): Promise<void>;
}

export interface BootLabOptions {
  view?: RunnerConfig['view'];
  bootloaderDirs: string[];
  maxConcurrentTransfers?: number;
  quiet?: boolean;
  enableTftp?: boolean;
  enableHttp?: boolean;
  leases?: RunnerConfig['leases'];
  /** More addresses for the client namespace (e.g. one holding a pool lease). */
  extraClientAddresses?: string[];
}

export async function startBootLab(o: BootLabOptions): Promise<BootLab> {
  const lab = new NetnsLab();
  const scratchDir = await mkdtemp(path.join(os.tmpdir(), 'fb-bootlab-'));
  let child: ChildProcess | null = null;
  try {
    const server = lab.addNamespace('s');
    const client = lab.addNamespace('c');
    const linked = lab.link(server, `${serverIp}/24`, client, `${clientIp}/24`, 1500);
    const { aIf } = linked;
    const { bIf } = linked;
    server.exec('ip', ['addr', 'add', `${serverSecondIp}/24`, 'dev', aIf]);
    for (const extra of o.extraClientAddresses ?? []) client.exec('ip', ['addr', 'add', `${extra}/24`, 'dev', bIf]);
    const httpBaseUrl = `http://${serverIp}:8080`;
    const config: RunnerConfig = {
      config: {
        serverAddress: serverIp, bindAddress: '0.0.0.0', interfaceName: aIf, dhcpPort: 67, dhcpClientPort: 68,
        tftpPort: 69, httpPort: 8080, bootloaderDirs: o.bootloaderDirs, stateDir: path.join(scratchDir, 'state'), httpBaseUrl,
        enableDhcp: false, enableTftp: o.enableTftp ?? true, enableHttp: o.enableHttp ?? true,
      },
      view: o.view ?? { hosts: [], roles: [], images: [], networkList: [] },
      maxConcurrentTransfers: o.maxConcurrentTransfers,
      quiet: o.quiet,
      leases: o.leases,
    };
    const configPath = path.join(scratchDir, 'runner.json');
    await writeFile(configPath, JSON.stringify(config));
    child = server.spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'boot-services/tftp/integration/boot-services-runner.ts'), configPath], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const events: BootEventInput[] = [];
    let metricsWaiter: ((text: string) => void) | null = null;
    let stderr = '';
    child.stderr!.on('data', (d) => { stderr += d; });
    const ready = new Promise<{ tftpPort: number; httpPort: number }>((resolve, reject) => {
      let buffered = '';
      child!.stdout!.on('data', (d: Buffer) => {
        buffered += d.toString();
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          let msg: { ready?: { tftpPort: number; httpPort: number }; event?: BootEventInput; metrics?: string };
          try { msg = JSON.parse(line); } catch { continue; }
          if (msg.ready) resolve(msg.ready);
          if (msg.event) events.push(msg.event);
          if (msg.metrics !== undefined && metricsWaiter) metricsWaiter(msg.metrics);
        }
      });
      child!.once('exit', (code) => reject(new Error(`boot services runner exited (${code}): ${stderr}`)));
      setTimeout(() => reject(new Error(`boot services runner not ready after 20 s: ${stderr}`)), 20_000).unref();
    });
    const ports = await ready;
    return {
      server, client, serverPid: child.pid!, tftpPort: ports.tftpPort, httpPort: ports.httpPort, httpBaseUrl, events, scratchDir,
      metrics: () => new Promise((resolve) => {
        metricsWaiter = resolve;
        child!.kill('SIGUSR2');
      }),
      async dispose() {
        await lab.dispose();
        await rm(scratchDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await lab.dispose();
    await rm(scratchDir, { recursive: true, force: true });
    throw err;
  }
}
