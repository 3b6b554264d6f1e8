// Builds the boot-file namespace for a running bootd: finds the bootloaders (a missing one is
// logged as an error naming the Debian package, counted in a gauge, and written to
// <stateDir>/bootloaders.json for the console), and where the discovery environment lives.
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
