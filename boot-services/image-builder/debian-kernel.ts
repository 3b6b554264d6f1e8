// The Debian kernel the sample image and the agent initramfs are built for: the package
// linux-image-amd64 depends on (linux-image-6.1.0-N-amd64), fetched with `apt-get download`
// and unpacked with `dpkg-deb -x` into a cache directory. Never installed: the host's /boot
// and /lib/modules are left alone. modules.dep is made with `depmod -b` (kmod), because the
// package leaves that to its postinst, which we don't run.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface DebianKernel {
  /** e.g. 6.1.0-56-amd64 */
  version: string;
  vmlinuzPath: string;
  /** <tree>/lib/modules/<version> */
  modulesDir: string;
}

function run(cmd: string, args: string[], cwd?: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`${cmd} is not installed (Debian: ${cmd === 'depmod' ? 'kmod' : 'apt/dpkg'})`);
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

/** linux-image-amd64's current versioned dependency, from the local package lists. */
export function currentKernelPackage(): string {
  const out = run('apt-cache', ['depends', 'linux-image-amd64']);
  const m = /Depends:\s+(linux-image-[0-9][^\s]*-amd64)/.exec(out);
  if (!m) throw new Error('apt-cache knows no linux-image-amd64 dependency: run apt-get update');
  return m[1]!;
}

function kernelInTree(tree: string): DebianKernel | null {
  const bootDir = path.join(tree, 'boot');
  if (!fs.existsSync(bootDir)) return null;
  const vmlinuz = fs.readdirSync(bootDir).find((f) => f.startsWith('vmlinuz-'));
  if (!vmlinuz) return null;
  const version = vmlinuz.slice('vmlinuz-'.length);
  const modulesDir = path.join(tree, 'lib', 'modules', version);
  if (!fs.existsSync(path.join(modulesDir, 'modules.dep'))) return null;
  return { version, vmlinuzPath: path.join(bootDir, vmlinuz), modulesDir };
}

/** Downloads and unpacks the kernel package once; later calls reuse the cache. */
export function ensureDebianKernel(cacheDir: string, packageName: string = currentKernelPackage()): DebianKernel {
  const tree = path.join(cacheDir, packageName);
  const cached = kernelInTree(tree);
  if (cached) return cached;
  fs.mkdirSync(cacheDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(cacheDir, `.${packageName}-`));
  try {
    run('apt-get', ['download', packageName], work);
    const deb = fs.readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${packageName} left no .deb`);
    const unpacked = path.join(work, 'tree');
    run('dpkg-deb', ['-x', path.join(work, deb), unpacked]);
    const version = fs.readdirSync(path.join(unpacked, 'boot')).find((f) => f.startsWith('vmlinuz-'))?.slice('vmlinuz-'.length);
    if (!version) throw new Error(`${deb} has no /boot/vmlinuz-*`);
    run('depmod', ['-b', unpacked, version]);
    fs.rmSync(tree, { recursive: true, force: true });
    fs.renameSync(unpacked, tree);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const done = kernelInTree(tree);
  if (!done) throw new Error(`unpacked ${packageName} but found no kernel in ${tree}`);
  return done;
}
