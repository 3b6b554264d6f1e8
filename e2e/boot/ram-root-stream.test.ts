// Ram roots larger than the VM could hold twice (issue 21): the agent streams the rootfs
// through sha256 and gzip|zstd into the tmpfs root in one pipe. The image's compressed tarball
// plus its unpacked tree exceed the VM's memory; the unpacked tree alone fits. Three VMs, one
// after the other: gzip boots to up; zstd has its download cut by a TCP reset from the lab's
// firewall, that attempt fails and the agent's retry boots to up; a flipped byte fails with
// "sha256 mismatch" and never switches root. bootd is the only server; iPXE loads kernel and
// initrd over HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createPrismaClient } from '../../server/db/client.ts';
import { registerSampleImage } from '../../server/images/sample-image.ts';
import { buildSampleRootfsTree, tarGzTree } from '../../boot-services/image-builder/sample-rootfs.ts';
import { QemuLab, heavySkipReason, labCmdlineTemplate, missingStep, timelineByMac, type TimelineEvent, type Vm } from './qemu-lab.ts';

const vmMemoryMb = 256;
/** Incompressible: the tarball is as big as the tree, so tarball + tree > the VM's memory. */
const payloadMb = 128;
const mib = 1024 * 1024;

function missingTool(): string | null {
  for (const tool of ['zstd', 'nft']) {
    try { execFileSync('which', [tool], { stdio: 'ignore' }); } catch { return `${tool} is not installed (zstd, nftables)`; }
  }
  return null;
}
const skip = heavySkipReason() ?? missingTool();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForEvent(lab: QemuLab, vm: Vm, match: (e: TimelineEvent) => boolean, what: string, timeoutMs: number): Promise<TimelineEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await timelineByMac(lab, vm.mac);
    if (events.some(match)) return events;
    if (Date.now() > deadline) {
      throw new Error(`${vm.name}: no ${what} in ${timeoutMs} ms; timeline: ${events.map((e) => `${e.source}:${e.type}${e.detail.reason ? `(${String(e.detail.reason)})` : ''}`).join(' → ')}\n--- console ---\n${vm.console().slice(-3000)}`);
    }
    if (vm.child.exitCode !== null) throw new Error(`${vm.name}: QEMU exited.\n${vm.console().slice(-3000)}`);
    await sleep(500);
  }
}

test('ram roots of any size: gzip and zstd stream into RAM, a flipped byte and a cut download never switch root', { skip: skip ?? false, timeout: 1_800_000 }, async () => {
  const lab = await QemuLab.start({ role: { rootMode: 'ram', bootLoader: 'ipxe' } });
  const prisma = createPrismaClient(lab.db.url);
  try {
    // One tree: the sample image's system plus an incompressible payload.
    const tree = path.join(lab.tmp, 'big-tree');
    buildSampleRootfsTree(tree);
    const payload = fs.openSync(path.join(tree, 'srv/payload.bin'), 'w');
    for (let i = 0; i < payloadMb; i++) fs.writeSync(payload, randomBytes(mib));
    fs.closeSync(payload);
    const gz = path.join(lab.tmp, 'big.tar.gz');
    tarGzTree(tree, gz);
    const zst = path.join(lab.tmp, 'big.tar.zst');
    execFileSync('bash', ['-c', 'tar -C "$1" --owner=0 --group=0 --numeric-owner -cf - . | zstd -q -3 -T0 -o "$2"', '-', tree, zst]);
    const treeBytes = Number(execFileSync('du', ['-sb', tree], { encoding: 'utf8' }).split('\t')[0]);
    for (const f of [gz, zst]) {
      assert.ok(fs.statSync(f).size + treeBytes > vmMemoryMb * mib, `${path.basename(f)} plus the tree (${fs.statSync(f).size} + ${treeBytes}) exceed the VM's ${vmMemoryMb} MiB`);
    }

    const roles: Record<string, { roleId: string; rootfsPath: string; rootfsBytes: number }> = {};
    for (const [name, file] of [['gzip', gz], ['zstd', zst], ['corrupt', zst]] as const) {
      // The corrupt role gets its own copy of the zstd tarball under another name: another artifact.
      let rootfs = file;
      if (name === 'corrupt') {
        rootfs = path.join(lab.tmp, 'corrupt.tar.zst');
        execFileSync('bash', ['-c', 'cat "$1" && printf x', '-', file], { stdio: ['ignore', fs.openSync(rootfs, 'w'), 'pipe'] });
      }
      const img = await registerSampleImage(prisma, {
        dataDir: lab.dataDir, roleName: `big-${name}`, rootMode: 'ram', kernelVersion: lab.sample.kernelVersion,
        files: { kernel: lab.sample.kernel.path, initrd: lab.sample.initrd.path, rootfs },
      });
      await lab.pool.query(`UPDATE "Role" SET "bootLoader" = 'ipxe'::"BootLoader", "cmdlineTemplate" = $1 WHERE id = $2`, [labCmdlineTemplate, img.roleId]);
      roles[name] = { roleId: img.roleId, rootfsPath: img.rootfs.path, rootfsBytes: img.rootfs.sizeBytes };
    }
    // One byte flipped in the middle of the file bootd serves: its sha256 no longer matches the image's.
    const corrupt = roles.corrupt!;
    const fd = fs.openSync(corrupt.rootfsPath, 'r+');
    const middle = Math.floor(corrupt.rootfsBytes / 2);
    const byte = Buffer.alloc(1);
    fs.readSync(fd, byte, 0, 1, middle);
    byte[0] = byte[0]! ^ 0xff;
    fs.writeSync(fd, byte, 0, 1, middle);
    fs.closeSync(fd);

    await lab.startBootd();
    const bootSteps = [
      { source: 'agent', type: 'rootfs-download' },
      { source: 'agent', type: 'rootfs-unpack' },
      { source: 'agent', type: 'rootfs-verified' },
      { source: 'agent', type: 'root-mounted' },
      { source: 'agent', type: 'switch-root' },
      { source: 'agent', type: 'up' },
    ];

    const checkUp = async (name: 'gzip' | 'zstd', ms: number, events: TimelineEvent[]) => {
      assert.equal(missingStep(events, bootSteps), null, missingStep(events, bootSteps) ?? '');
      const unpack = events.filter((e) => e.type === 'rootfs-unpack').at(-1)!;
      const before = Number(unpack.detail.memoryBeforeBytes);
      const peak = Number(unpack.detail.memoryPeakBytes);
      const unpacked = Number(unpack.bytesDone);
      assert.ok(unpacked >= payloadMb * mib, `the tmpfs root holds the payload: ${unpacked} bytes`);
      // The target of issue 21: the pipe holds nothing twice (memory grows by the tree, plus at most 64 MiB).
      assert.ok(peak - before <= unpacked + 64 * mib, `memory grew by ${peak - before} bytes for ${unpacked} unpacked`);
      console.log(`# ${name}: ${roles[name]!.rootfsBytes} B tarball, ${unpacked} B unpacked in a ${vmMemoryMb} MiB VM, up in ${(ms / 1000).toFixed(1)} s (${lab.accel}); memory +${((peak - before) / mib).toFixed(0)} MiB for ${(unpacked / mib).toFixed(0)} MiB unpacked`);
    };

    {
      const mac = '52:54:00:6e:21:01';
      const hostId = await lab.addHost({ hostname: 'big-gzip', mac, ip: '10.66.0.41', roleId: roles.gzip!.roleId });
      const vm = lab.startVm({ name: 'big-gzip', mac, firmware: 'bios', memoryMb: vmMemoryMb });
      const ms = await lab.waitForState(hostId, 'up', vm, 900_000);
      await checkUp('gzip', ms, await lab.timeline(hostId));
      await lab.stopVm(vm);
    }

    // zstd, its download cut halfway: a TCP reset from bootd's side mid-download; the retry boots.
    {
      const mac = '52:54:00:6e:21:02';
      const hostId = await lab.addHost({ hostname: 'big-zstd', mac, ip: '10.66.0.42', roleId: roles.zstd!.roleId });
      const vm = lab.startVm({ name: 'big-zstd', mac, firmware: 'bios', memoryMb: vmMemoryMb });
      const total = roles.zstd!.rootfsBytes;
      await waitForEvent(lab, vm, (e) => e.type === 'rootfs-download' && Number(e.bytesDone) > total / 4, 'a quarter of the rootfs downloaded', 900_000);
      lab.server.exec('nft', ['add', 'table', 'inet', 'cut']);
      lab.server.exec('nft', ['add', 'chain', 'inet', 'cut', 'input', '{ type filter hook input priority 0; }']);
      lab.server.exec('nft', ['add', 'rule', 'inet', 'cut', 'input', 'tcp', 'dport', '8080', 'reject', 'with', 'tcp', 'reset']);
      // While the rule stands every connection to bootd is reset, the agent's failure report
      // too: the reason is read from the console, and the rule goes as soon as it is printed.
      try {
        const deadline = Date.now() + 300_000;
        while (!/attempt 1 failed in root: rootfs download cut at \d+ of \d+ bytes/.test(vm.console())) {
          if (Date.now() > deadline) throw new Error(`big-zstd: no cut reported on the console\n${vm.console().slice(-3000)}`);
          await sleep(250);
        }
      } finally {
        lab.server.exec('nft', ['delete', 'table', 'inet', 'cut']);
      }
      const ms = await lab.waitForState(hostId, 'up', vm, 900_000);
      const events = await lab.timeline(hostId);
      assert.equal(events.filter((e) => e.type === 'switch-root').length, 1, 'only the retry switched root');
      await checkUp('zstd', ms, events);
      await lab.stopVm(vm);
    }

    // A flipped byte: the attempt fails with the reason, the root is never mounted or switched into.
    {
      const mac = '52:54:00:6e:21:03';
      await lab.addHost({ hostname: 'big-corrupt', mac, ip: '10.66.0.43', roleId: corrupt.roleId });
      const vm = lab.startVm({ name: 'big-corrupt', mac, firmware: 'bios', memoryMb: vmMemoryMb });
      const events = await waitForEvent(lab, vm, (e) => e.source === 'agent' && e.type === 'failed', 'failed event', 900_000);
      const failed = events.find((e) => e.type === 'failed')!;
      assert.match(String(failed.detail.reason), /sha256 mismatch/, JSON.stringify(failed.detail));
      const switched = events.filter((e) => e.type === 'root-mounted' || e.type === 'switch-root' || e.type === 'rootfs-verified');
      assert.deepEqual(switched, [], 'a corrupt root is never verified, mounted or switched into');
      await lab.stopVm(vm);
    }

  } finally {
    await prisma.$disconnect();
    await lab.dispose();
  }
});
