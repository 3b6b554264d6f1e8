// Builds the boot-file namespace for a running bootd: finds the bootloaders (a missing one is
// logged as an error naming the Debian package, counted in a gauge, and written to
// <stateDir>/bootloaders.json for the console), and where the discovery environment lives.
import { statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BootdContext } from '../bootd-context.ts';
import { BootFiles } from './boot-files.ts';
import { bootloaderPaths, findBootloaders, syslinuxBiosModulesDir, type BootloaderStatus } from './bootloaders.ts';

export interface BootFilesSetup {
  files: BootFiles;
  bootloaders: BootloaderStatus[];
}

/** The discovery kernel/initrd (built by the boot-agent work) live in the state directory. */
export function discoveryPaths(stateDir: string): { kernel: string; initrd: string } {
  return { kernel: path.join(stateDir, 'discovery', 'kernel'), initrd: path.join(stateDir, 'discovery', 'initrd') };
}

export interface DiscoveryEnvironmentStatus {
  ok: boolean;
  kernel: string;
  initrd: string;
  /** What an operator reads on /healthz and in the log when it is missing. */
  problem: string | null;
}

/**
 * Whether the discovery environment is in place: without it an unknown machine gets an address
 * and a bootloader, then "File not found" for discovery/kernel (issue 16), and nothing boots it.
 */
export function discoveryEnvironmentStatus(stateDir: string): DiscoveryEnvironmentStatus {
  const p = discoveryPaths(stateDir);
  const missing = [p.kernel, p.initrd].filter((file) => {
    try {
      return !statSync(file).isFile();
    } catch {
      return true;
    }
  });
  const problem = missing.length
    ? `discovery environment missing (${missing.join(', ')}): unknown machines get "File not found" after their bootloader; build it with \`npm run sample-image\` (scripts/setup.sh does, from Debian's packages)`
    : null;
  return { ok: missing.length === 0, kernel: p.kernel, initrd: p.initrd, problem };
}

type SetupContext = Pick<BootdContext, 'config' | 'view' | 'log' | 'metrics' | 'artifacts'>;
const setups = new WeakMap<SetupContext, Promise<BootFilesSetup>>();

/**
 * The boot-file namespace of one bootd. TFTP and HTTP both serve it: the bootloader search,
 * its log lines and bootloaders.json happen once per bootd context, not once per service.
 */
export function setUpBootFiles(ctx: SetupContext): Promise<BootFilesSetup> {
  let setup = setups.get(ctx);
  if (!setup) {
    setup = buildBootFiles(ctx);
    setups.set(ctx, setup);
  }
  return setup;
}

async function buildBootFiles(ctx: SetupContext): Promise<BootFilesSetup> {
  const bootloaders = await findBootloaders(ctx.config.bootloaderDirs);
  for (const b of bootloaders) {
    ctx.metrics.set('fleetboot_bootloader_present', 'Bootloader file found (1) or missing (0)', { name: b.name, required: String(b.required) }, b.path ? 1 : 0);
    if (b.problem && b.required) ctx.log.error(`bootloader missing: ${b.problem}`, { bootloader: b.name });
    else if (b.problem) ctx.log.warn(`optional bootloader missing: ${b.problem}`, { bootloader: b.name });
  }
  try {
    await mkdir(ctx.config.stateDir, { recursive: true });
    await writeFile(path.join(ctx.config.stateDir, 'bootloaders.json'), JSON.stringify(bootloaders, null, 2));
  } catch (err) {
    ctx.log.warn('could not write bootloader status', { error: (err as Error).message });
  }
  const discovery = discoveryPaths(ctx.config.stateDir);
  const discoveryStatus = discoveryEnvironmentStatus(ctx.config.stateDir);
  ctx.metrics.set('fleetboot_discovery_environment_present', 'Discovery kernel and initrd in place (1) or missing (0)', {}, discoveryStatus.ok ? 1 : 0);
  if (discoveryStatus.problem) ctx.log.error(discoveryStatus.problem);
  const files = new BootFiles({
    view: () => ctx.view,
    httpBaseUrl: ctx.config.httpBaseUrl,
    bootloaders: bootloaderPaths(bootloaders),
    roots: [...ctx.config.bootloaderDirs, syslinuxBiosModulesDir],
    discoveryKernelPath: discovery.kernel,
    discoveryInitrdPath: discovery.initrd,
    artifacts: ctx.artifacts ?? null,
  });
  return { files, bootloaders };
}
