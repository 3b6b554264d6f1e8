// `npm run sample-image`: builds a small working image for a first boot and registers it:
// the Debian kernel (downloaded into a cache, never installed), the agent initramfs, and a
// BusyBox rootfs tarball that serves a tiny web page and reports up. Also installs the
// kernel + agent initramfs as bootd's discovery environment, so unknown machines boot it.
//   npm run sample-image -- [--role sample] [--root-mode ram|nfs|disk] [--nfs-export H:/P] [--disk-root LABEL=x] [--json]
// Env: DATABASE_URL, FLEETBOOT_DATA_DIR (artifacts), FLEETBOOT_BOOTD_STATE_DIR, FLEETBOOT_KERNEL_CACHE_DIR.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPrismaClient } from '../server/db/client.ts';
import { registerSampleImage, type RegisteredSampleImage } from '../server/images/sample-image.ts';
import { discoveryPaths } from '../boot-services/boot-config/boot-files-setup.ts';
import { buildAgentInitramfs, defaultKernelCacheDir } from '../boot-services/image-builder/build-initramfs.ts';
import { ensureDebianKernel } from '../boot-services/image-builder/debian-kernel.ts';
import { buildSampleRootfsTree, tarGzTree } from '../boot-services/image-builder/sample-rootfs.ts';

export interface SampleImageOptions {
  databaseUrl: string;
  dataDir: string;
  stateDir: string;
  kernelCacheDir: string;
  roleName?: string;
  rootMode?: 'ram' | 'nfs' | 'disk';
  nfsExport?: string;
  diskRoot?: string;
  /** Keep the unpacked rootfs tree here (the nfs and disk labs export or copy it). */
  rootfsTreeDir?: string;
}

export interface SampleImage extends RegisteredSampleImage {
  kernelVersion: string;
  rootfsTreeDir: string | null;
  discovery: { kernel: string; initrd: string };
}

function installAtomically(src: string, dest: string): void {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}`;
  fs.copyFileSync(src, tmp);
  fs.renameSync(tmp, dest);
}

export async function buildSampleImage(o: SampleImageOptions): Promise<SampleImage> {
  const kernel = ensureDebianKernel(o.kernelCacheDir);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-sample-'));
  const prisma = createPrismaClient(o.databaseUrl);
  try {
    const initrdPath = path.join(work, 'initrd');
    fs.writeFileSync(initrdPath, buildAgentInitramfs(kernel).bytes);
    const tree = o.rootfsTreeDir ?? path.join(work, 'rootfs');
    buildSampleRootfsTree(tree);
    const rootfsPath = path.join(work, 'rootfs.tar.gz');
    tarGzTree(tree, rootfsPath);
    const registered = await registerSampleImage(prisma, {
      dataDir: o.dataDir, roleName: o.roleName ?? 'sample', rootMode: o.rootMode ?? 'ram',
      nfsExport: o.nfsExport ?? null, diskRoot: o.diskRoot ?? null, kernelVersion: kernel.version,
      files: { kernel: kernel.vmlinuzPath, initrd: initrdPath, rootfs: rootfsPath },
    });
    const discovery = discoveryPaths(o.stateDir);
    installAtomically(kernel.vmlinuzPath, discovery.kernel);
    installAtomically(initrdPath, discovery.initrd);
    return { ...registered, kernelVersion: kernel.version, rootfsTreeDir: o.rootfsTreeDir ?? null, discovery };
  } finally {
    await prisma.$disconnect();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('DATABASE_URL is not set (the database the web console and bootd use)');
    process.exit(2);
  }
  const dataDir = path.resolve(process.env.FLEETBOOT_DATA_DIR ?? 'data');
  const rootMode = (arg('--root-mode') ?? 'ram') as SampleImageOptions['rootMode'];
  buildSampleImage({
    databaseUrl, dataDir,
    stateDir: path.resolve(process.env.FLEETBOOT_BOOTD_STATE_DIR ?? path.join(dataDir, 'bootd')),
    kernelCacheDir: defaultKernelCacheDir(),
    roleName: arg('--role'), rootMode, nfsExport: arg('--nfs-export'), diskRoot: arg('--disk-root'),
  }).then((img) => {
    if (process.argv.includes('--json')) {
      console.log(JSON.stringify(img, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
      return;
    }
    console.log(`sample image ${img.version} (kernel ${img.kernelVersion}) is the active image of its role`);
    console.log(`  kernel ${img.kernel.sizeBytes} B, agent initrd ${img.initrd.sizeBytes} B, rootfs ${img.rootfs.sizeBytes} B in ${path.dirname(img.kernel.path)}`);
    console.log(`  discovery environment for unknown machines: ${img.discovery.kernel}, ${img.discovery.initrd}`);
  }).catch((err: Error) => {
    console.error(`sample image failed: ${err.message}`);
    process.exit(1);
  });
}
