// Builds the agent initramfs: Debian's static BusyBox, the kernel modules the root modes need
// (from the Debian kernel being booted, in load order), and the agent's /init.
//   npx tsx boot-services/image-builder/build-initramfs.ts --out agent.initrd [--kernel-cache DIR] [--kernel-package NAME]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianKernel, type DebianKernel } from './debian-kernel.ts';
import { dynamicBinaryFiles } from './dynamic-binary.ts';
import { agentModuleNames, parseModulesDep, planModules } from './kernel-modules.ts';
import { gzipArchive, writeNewcArchive, type NewcEntry } from './newc-archive.ts';

const agentDir = path.dirname(fileURLToPath(import.meta.url));
/** Debian's busybox-static; the dynamic `busybox` package's binary would need libc in the initramfs. */
export const staticBusyboxPath = '/bin/busybox';
/** Debian's zstd unpacks ram roots: zstd, gzip and xz alike, by their magic numbers (BusyBox has no zstd decoder). */
export const zstdPath = '/usr/bin/zstd';
/**
 * Coreutils' tee, wc and sha256sum for the ram root pipe, kept apart from BusyBox's applets
 * (init.sh calls them by this directory). Measured on 93 MiB: BusyBox `wc -c` reads a byte at a
 * time (0.79 s CPU against coreutils' 0.08 s), its tee moves small blocks (0.42 s against 0.06 s)
 * and its sha256sum is half coreutils' speed; under TCG every CPU second is many.
 */
export const ramPipeToolsDir = '/usr/libexec/fleetboot';
const ramPipeTools = ['tee', 'wc', 'sha256sum'].map((tool) => [`/usr/bin/${tool}`, `${ramPipeToolsDir}/${tool}`] as const);

function assertStaticBusybox(file: string): void {
  if (!fs.existsSync(file)) throw new Error(`${file} not found: apt-get install busybox-static`);
  // An ELF with a PT_INTERP program header needs a dynamic loader the initramfs doesn't have.
  const bytes = fs.readFileSync(file);
  if (bytes.includes(Buffer.from('/lib64/ld-linux-x86-64.so.2'))) throw new Error(`${file} is dynamically linked: apt-get install busybox-static`);
}

export interface InitramfsBuild {
  bytes: Buffer;
  kernel: DebianKernel;
  modules: number;
  /** Wanted modules this kernel builds in (or lacks), for the build log. */
  notModules: string[];
}

/** `initScript`: another agent's /init (bench/ramroot compares the landed agent with this one). */
export function buildAgentInitramfs(kernel: DebianKernel, busyboxPath = staticBusyboxPath, initScript?: Buffer): InitramfsBuild {
  assertStaticBusybox(busyboxPath);
  if (!fs.existsSync(zstdPath)) throw new Error(`${zstdPath} not found: apt-get install zstd (the agent unpacks ram roots with it)`);
  const deps = parseModulesDep(fs.readFileSync(path.join(kernel.modulesDir, 'modules.dep'), 'utf8'));
  const entries: NewcEntry[] = [];
  const dirs = new Set<string>();
  const dir = (p: string) => {
    const parts = p.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) {
        dirs.add(d);
        entries.push({ kind: 'dir', path: d });
      }
    }
  };
  for (const d of ['bin', 'sbin', 'dev', 'proc', 'sys', 'run', 'tmp', 'newroot', 'etc/fleetboot', 'lib/modules']) dir(d);
  entries.push({ kind: 'chardev', path: 'dev/console', major: 5, minor: 1, mode: 0o600 });
  entries.push({ kind: 'chardev', path: 'dev/null', major: 1, minor: 3, mode: 0o666 });
  entries.push({ kind: 'file', path: 'bin/busybox', data: fs.readFileSync(busyboxPath), mode: 0o755 });
  entries.push({ kind: 'symlink', path: 'bin/sh', target: 'busybox' });
  // zstd and the ram root pipe's coreutils with their libraries and loader: they run in the
  // initramfs as they do here. A library two programs share goes in once.
  const carried = new Set<string>();
  for (const [binary, installAs] of [[zstdPath, zstdPath], ...ramPipeTools]) {
    for (const f of dynamicBinaryFiles(binary, installAs)) {
      if (carried.has(f.path)) continue;
      carried.add(f.path);
      dir(path.posix.dirname(f.path));
      entries.push({ kind: 'file', path: f.path, data: fs.readFileSync(f.source), mode: 0o755 });
    }
  }
  entries.push({ kind: 'file', path: 'init', data: initScript ?? fs.readFileSync(path.join(agentDir, 'init.sh')), mode: 0o755 });
  for (const [name, file] of [['udhcpc.sh', 'udhcpc.sh'], ['report-up', 'report-up'], ['init-wrapper', 'init-wrapper'], ['keep-lease', 'keep-lease'], ['lease-hook', 'lease-hook']] as const) {
    entries.push({ kind: 'file', path: `etc/fleetboot/${name}`, data: fs.readFileSync(path.join(agentDir, file)), mode: 0o755 });
  }
  let modules = 0;
  const notModules: string[] = [];
  const included = new Set<string>();
  // One list per need, so ram mode never pays for loading the NFS and disk drivers.
  for (const [need, names] of Object.entries(agentModuleNames)) {
    const plan = planModules(deps, names);
    notModules.push(...plan.notModules);
    for (const rel of plan.loadOrder) {
      if (included.has(rel)) continue;
      included.add(rel);
      dir(path.posix.dirname(`lib/modules/${rel}`));
      entries.push({ kind: 'file', path: `lib/modules/${rel}`, data: fs.readFileSync(path.join(kernel.modulesDir, rel)) });
      modules++;
    }
    entries.push({ kind: 'file', path: `etc/fleetboot/modules.${need}`, data: Buffer.from(plan.loadOrder.join('\n') + '\n') });
  }
  entries.push({ kind: 'file', path: 'etc/fleetboot/kernel-version', data: Buffer.from(`${kernel.version}\n`) });
  return { bytes: gzipArchive(writeNewcArchive(entries)), kernel, modules, notModules };
}

/** Default place for downloaded kernels: under the data directory, shared by every build. */
export function defaultKernelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.FLEETBOOT_KERNEL_CACHE_DIR ?? path.join(path.resolve(env.FLEETBOOT_DATA_DIR ?? 'data'), 'cache', 'kernels');
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = arg('--out');
  if (!out) {
    console.error('usage: build-initramfs.ts --out FILE [--kernel-cache DIR] [--kernel-package linux-image-6.1.0-N-amd64] [--kernel-out FILE]');
    process.exit(2);
  }
  const kernel = ensureDebianKernel(arg('--kernel-cache') ?? defaultKernelCacheDir(), arg('--kernel-package'));
  const built = buildAgentInitramfs(kernel);
  fs.writeFileSync(out, built.bytes);
  const kernelOut = arg('--kernel-out');
  if (kernelOut) fs.copyFileSync(kernel.vmlinuzPath, kernelOut);
  console.log(`agent initramfs ${out}: ${built.bytes.length} bytes, kernel ${kernel.version}, ${built.modules} modules${built.notModules.length ? ` (built in or absent: ${built.notModules.join(', ')})` : ''}`);
}
