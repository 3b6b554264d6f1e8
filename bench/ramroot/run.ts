// Ram roots (issue 21): boot-to-up of one BIOS VM whose role boots a large ram root, for
//   landed  the agent before streaming (downloads the tarball into the initramfs, checks it,
//           then unpacks it: RAM for both), gzip
//   gzip    this agent (download → sha256 → decompress → tar in one pipe), gzip
//   zstd    this agent, zstd
// in the same run and lab, with the same kernel and the same tree. The root is real files
// copied from this machine's /usr (mixed binaries and text), so compression is realistic.
// Memory: the guest's high-water mark seen from outside (QEMU's VmHWM: every page the guest
// ever touched) for all three, and the agent's own report (memory in use at the pipe's peak
// minus before it) for this agent.
//   bash bench/ramroot/run.sh [--size-mb 1024] [--rounds 1] [--baseline-rev 3c34056]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createPrismaClient } from '../../server/db/client.ts';
import { registerSampleImage } from '../../server/images/sample-image.ts';
import { buildAgentInitramfs } from '../../boot-services/image-builder/build-initramfs.ts';
import { ensureDebianKernel } from '../../boot-services/image-builder/debian-kernel.ts';
import { buildSampleRootfsTree, tarGzTree } from '../../boot-services/image-builder/sample-rootfs.ts';
import { QemuLab, bootLabSkipReason, kernelCacheDir, labCmdlineTemplate, repoRoot, type TimelineEvent } from '../../e2e/boot/qemu-lab.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}
const sizeMb = Number(arg('--size-mb', '1024'));
const rounds = Number(arg('--rounds', '1'));
/** main before this agent landed: the agent that downloads first, then unpacks. */
const baselineRev = arg('--baseline-rev', '3c34056');
const mib = 1024 * 1024;

/** Copies regular files from `from` into `to` until `bytes` are copied (sorted walk: the same tree every run). */
function copyUntil(from: string, to: string, bytes: number): number {
  let copied = 0;
  const walk = (dir: string): boolean => {
    let names: string[];
    try { names = fs.readdirSync(dir).sort(); } catch { return false; }
    for (const name of names) {
      const src = path.join(dir, name);
      const st = fs.lstatSync(src);
      if (st.isDirectory()) {
        if (walk(src)) return true;
      } else if (st.isFile() && st.size > 0) {
        const dest = path.join(to, path.relative(from, src));
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.copyFileSync(src, dest);
        copied += st.size;
        if (copied >= bytes) return true;
      }
    }
    return false;
  };
  walk(from);
  return copied;
}

function vmHighWaterBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
}

/**
 * Where the boot's time goes: each event type's first and last moment, in seconds after the VM
 * started (`rootfs-download 31.2-58.9`), so a slower variant shows which phase grew.
 */
function phaseMarks(events: TimelineEvent[], startedAtMs: number): string {
  const spans = new Map<string, [number, number]>();
  for (const e of events) {
    const t = (new Date(e.at).getTime() - startedAtMs) / 1000;
    const key = `${e.source}:${e.type}`;
    const span = spans.get(key);
    spans.set(key, span ? [span[0], t] : [t, t]);
  }
  return [...spans].map(([key, [a, b]]) => (a === b ? `${key} ${a.toFixed(1)}` : `${key} ${a.toFixed(1)}-${b.toFixed(1)}`)).join(', ');
}

function agentScriptAt(rev: string): Buffer {
  for (const file of ['boot-services/image-builder/init.sh', 'boot-services/agent/init.sh']) {
    try {
      return execFileSync('git', ['-C', repoRoot, 'show', `${rev}:${file}`], { stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      // not at this revision: the older place next
    }
  }
  throw new Error(`no agent init.sh at ${rev}`);
}

interface Row { variant: string; seconds: number[]; qemuHwmBytes: number[]; agentGrowthBytes: number[]; tarballBytes: number; unpackedBytes: number }

async function main(): Promise<void> {
  const skip = bootLabSkipReason();
  if (skip) throw new Error(skip);
  const lab = await QemuLab.start({ role: { rootMode: 'ram', bootLoader: 'ipxe' } });
  const prisma = createPrismaClient(lab.db.url);
  try {
    const tree = path.join(lab.tmp, 'tree');
    buildSampleRootfsTree(tree);
    const copied = copyUntil('/usr', path.join(tree, 'srv/usr-copy'), sizeMb * mib);
    const gz = path.join(lab.tmp, 'root.tar.gz');
    tarGzTree(tree, gz);
    const zst = path.join(lab.tmp, 'root.tar.zst');
    execFileSync('bash', ['-c', 'tar -C "$1" --owner=0 --group=0 --numeric-owner --sort=name -cf - . | zstd -q -6 -T0 -o "$2"', '-', tree, zst]);
    const treeBytes = Number(execFileSync('du', ['-sb', tree], { encoding: 'utf8' }).split('\t')[0]);
    console.log(`# root: ${(copied / mib).toFixed(0)} MiB of files from /usr, tree ${(treeBytes / mib).toFixed(0)} MiB, gzip ${(fs.statSync(gz).size / mib).toFixed(0)} MiB, zstd ${(fs.statSync(zst).size / mib).toFixed(0)} MiB`);

    const kernel = ensureDebianKernel(kernelCacheDir);
    // The agent script moved from boot-services/agent/ to boot-services/image-builder/ (issue 13).
    const landedInit = agentScriptAt(baselineRev);
    const landedInitrd = path.join(lab.tmp, 'landed.initrd');
    fs.writeFileSync(landedInitrd, buildAgentInitramfs(kernel, undefined, landedInit).bytes);
    // The landed agent holds tarball and tree at once, in a tmpfs capped at half the RAM: size the VM for it, the same for all.
    const vmMemoryMb = Math.ceil((fs.statSync(gz).size + 2 * treeBytes) / mib) + 512;

    const variants = [
      { variant: 'landed', initrd: landedInitrd, rootfs: gz },
      { variant: 'gzip', initrd: lab.sample.initrd.path, rootfs: gz },
      { variant: 'zstd', initrd: lab.sample.initrd.path, rootfs: zst },
    ];
    const rows: Row[] = [];
    await lab.startBootd();
    let n = 0;
    for (const v of variants) {
      const img = await registerSampleImage(prisma, {
        dataDir: lab.dataDir, roleName: `bench-${v.variant}`, rootMode: 'ram', kernelVersion: lab.sample.kernelVersion,
        files: { kernel: lab.sample.kernel.path, initrd: v.initrd, rootfs: v.rootfs },
      });
      await lab.pool.query(`UPDATE "Role" SET "bootLoader" = 'ipxe'::"BootLoader", "cmdlineTemplate" = $1 WHERE id = $2`, [labCmdlineTemplate, img.roleId]);
      const row: Row = { variant: v.variant, seconds: [], qemuHwmBytes: [], agentGrowthBytes: [], tarballBytes: img.rootfs.sizeBytes, unpackedBytes: 0 };
      for (let r = 0; r < rounds; r++) {
        n++;
        const mac = `52:54:00:b2:00:${n.toString(16).padStart(2, '0')}`;
        const hostId = await lab.addHost({ hostname: `bench-${v.variant}-${r}`, mac, ip: `10.66.0.${40 + n}`, roleId: img.roleId });
        const vm = lab.startVm({ name: `bench-${v.variant}-${r}`, mac, firmware: 'bios', memoryMb: vmMemoryMb });
        let hwm = 0;
        const sampler = setInterval(() => { try { hwm = Math.max(hwm, vmHighWaterBytes(vm.child.pid!)); } catch { /* exited */ } }, 500);
        try {
          const ms = await lab.waitForState(hostId, 'up', vm, 1_800_000);
          row.seconds.push(ms / 1000);
          row.qemuHwmBytes.push(Math.max(hwm, vmHighWaterBytes(vm.child.pid!)));
          const events = await lab.timeline(hostId);
          console.log(`# ${v.variant} round ${r + 1} phases: ${phaseMarks(events, vm.startedAtMs)}`);
          const unpack = events.filter((e) => e.type === 'rootfs-unpack').at(-1);
          if (unpack) {
            row.unpackedBytes = Number(unpack.bytesDone);
            row.agentGrowthBytes.push(Number(unpack.detail.memoryPeakBytes) - Number(unpack.detail.memoryBeforeBytes));
          }
        } finally {
          clearInterval(sampler);
          await lab.stopVm(vm);
        }
        console.log(`# ${v.variant} round ${r + 1}: up in ${row.seconds.at(-1)?.toFixed(1)} s, guest memory touched ${(row.qemuHwmBytes.at(-1)! / mib).toFixed(0)} MiB`);
      }
      rows.push(row);
    }

    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const landed = rows[0]!;
    const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`\nram root ${(treeBytes / mib).toFixed(0)} MiB, VM ${vmMemoryMb} MiB, ${lab.accel}, ${rounds} round(s), load ${load}`);
    console.log('| agent, format | tarball | boot to up | ÷ landed | guest memory touched (QEMU VmHWM) | ÷ landed | agent: memory growth during the pipe | growth − unpacked |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of rows) {
      const growth = r.agentGrowthBytes.length ? mean(r.agentGrowthBytes) : null;
      console.log(`| ${r.variant} | ${(r.tarballBytes / mib).toFixed(0)} MiB | ${mean(r.seconds).toFixed(1)} s | ${(mean(r.seconds) / mean(landed.seconds)).toFixed(2)} | ${(mean(r.qemuHwmBytes) / mib).toFixed(0)} MiB | ${(mean(r.qemuHwmBytes) / mean(landed.qemuHwmBytes)).toFixed(2)} | ${growth === null ? 'not reported' : `${(growth / mib).toFixed(0)} MiB for ${(r.unpackedBytes / mib).toFixed(0)} MiB unpacked`} | ${growth === null ? '' : `${((growth - r.unpackedBytes) / mib).toFixed(0)} MiB (target ≤ 64)`} |`);
    }
  } finally {
    await prisma.$disconnect();
    await lab.dispose();
  }
}

main().catch((err: Error) => {
  console.error(`bench/ramroot failed: ${err.message}`);
  process.exit(1);
});
