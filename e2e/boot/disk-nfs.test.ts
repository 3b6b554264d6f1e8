// 3) The other root modes. disk: a qcow2 disk with an ext4 root (labelled fbroot) the test
// makes from the sample rootfs tree (mkfs.ext4 -d, qemu-img convert); the agent finds it by
// label and mounts it. nfs: nfs-ganesha (VFS) + rpcbind in the lab namespace export the same
// tree (DESIGN.md facts: the host kernel has no NFS server here); the agent mounts it
// read-only with a tmpfs overlay for writes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QemuLab, bootLabSkipReason, missingStep, serverAddress } from './qemu-lab.ts';

const skip = bootLabSkipReason();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function missingTool(tools: string[]): string | null {
  for (const t of tools) {
    try { execFileSync('which', [t], { stdio: 'ignore' }); } catch { return `${t} is not installed`; }
  }
  return null;
}

const diskSkip = skip ?? missingTool(['mkfs.ext4', 'qemu-img']);
test('disk mode: the agent mounts the ext4 root by label and the host reports up', { skip: diskSkip ?? false, timeout: 600_000 }, async () => {
  const lab = await QemuLab.start({ role: { rootMode: 'disk', diskRoot: 'LABEL=fbroot', bootLoader: 'ipxe' } });
  try {
    const raw = path.join(lab.tmp, 'disk.raw');
    const qcow = path.join(lab.tmp, 'disk.qcow2');
    execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'fbroot', '-d', lab.sample.rootfsTreeDir!, raw, '64M']);
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow]);
    fs.rmSync(raw);
    const mac = '52:54:00:6e:0a:01';
    const hostId = await lab.addHost({ hostname: 'disk01', mac, ip: '10.66.0.31' });
    await lab.startBootd();
    const vm = lab.startVm({ name: 'disk01', mac, firmware: 'bios', disk: qcow });
    const ms = await lab.waitForState(hostId, 'up', vm);
    console.log(`# disk mode boot to up: ${(ms / 1000).toFixed(1)} s (${lab.accel})`);
    const events = await lab.timeline(hostId);
    const problem = missingStep(events, [
      { source: 'dhcp', type: 'ack' },
      { source: 'http', type: 'transfer-done', file: /\/initrd$/ },
      { source: 'agent', type: 'identity' },
      { source: 'agent', type: 'root-mounted' },
      { source: 'agent', type: 'switch-root' },
      { source: 'agent', type: 'up' },
    ]);
    assert.equal(problem, null, problem ?? '');
    assert.equal(events.some((e) => e.source === 'http' && String(e.detail.file ?? '').endsWith('/rootfs')), false, 'disk mode downloads no rootfs');
  } finally {
    await lab.dispose();
  }
});

const nfsSkip = skip ?? missingTool(['ganesha.nfsd', 'rpcbind']);
test('nfs mode: the agent mounts the ganesha export read-only under a tmpfs overlay and the host reports up', { skip: nfsSkip ?? false, timeout: 600_000 }, async () => {
  const lab = await QemuLab.start({ role: { rootMode: 'nfs', nfsExport: 'set-below', bootLoader: 'ipxe' } });
  try {
    const tree = lab.sample.rootfsTreeDir!;
    await lab.pool.query(`UPDATE "Role" SET "nfsExport" = $1 WHERE id = $2`, [`${serverAddress}:${tree}`, lab.sample.roleId]);
    const conf = path.join(lab.tmp, 'ganesha.conf');
    fs.writeFileSync(conf, `NFS_CORE_PARAM { Bind_addr = ${serverAddress}; Enable_NLM = false; Enable_RQUOTA = false; Protocols = 3; }
NFSV4 { Graceless = true; }
EXPORT_DEFAULTS { Access_Type = RO; Squash = No_Root_Squash; SecType = sys; }
EXPORT { Export_Id = 1; Path = ${tree}; Pseudo = /sample; Protocols = 3; Transports = TCP; Access_Type = RO; Squash = No_Root_Squash; FSAL { Name = VFS; } }
LOG { Default_Log_Level = WARN; }
`);
    fs.mkdirSync('/var/run/ganesha', { recursive: true });
    fs.mkdirSync('/var/lib/nfs/ganesha', { recursive: true });
    lab.server.spawn('rpcbind', ['-f', '-w'], { stdio: 'ignore' });
    await sleep(500);
    lab.server.spawn('ganesha.nfsd', ['-F', '-f', conf, '-L', path.join(lab.tmp, 'ganesha.log'), '-p', path.join(lab.tmp, 'ganesha.pid')], { stdio: 'ignore' });
    // Ready when its MOUNT service answers (showmount from inside the namespace).
    let exports = '';
    for (let i = 0; i < 60 && !exports.includes(tree); i++) {
      await sleep(500);
      try { exports = lab.server.exec('showmount', ['-e', serverAddress], { timeoutMs: 5000 }); } catch { /* not yet */ }
    }
    assert.ok(exports.includes(tree), `ganesha did not export ${tree}: ${exports}\n${fs.existsSync(path.join(lab.tmp, 'ganesha.log')) ? fs.readFileSync(path.join(lab.tmp, 'ganesha.log'), 'utf8').slice(-2000) : ''}`);
    const mac = '52:54:00:6e:0b:01';
    const hostId = await lab.addHost({ hostname: 'nfs01', mac, ip: '10.66.0.32' });
    await lab.startBootd();
    const vm = lab.startVm({ name: 'nfs01', mac, firmware: 'bios' });
    const ms = await lab.waitForState(hostId, 'up', vm);
    console.log(`# nfs mode boot to up: ${(ms / 1000).toFixed(1)} s (${lab.accel})`);
    const problem = missingStep(await lab.timeline(hostId), [
      { source: 'dhcp', type: 'ack' },
      { source: 'agent', type: 'identity' },
      { source: 'agent', type: 'root-mounted' },
      { source: 'agent', type: 'switch-root' },
      { source: 'agent', type: 'up' },
    ]);
    assert.equal(problem, null, problem ?? '');
    assert.ok(!fs.existsSync(path.join(tree, '.fleetboot')), 'the host wrote its hook into the overlay, not into the shared export');
  } finally {
    await lab.dispose();
  }
});
