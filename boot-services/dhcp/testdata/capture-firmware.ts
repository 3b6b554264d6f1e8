// Regenerates the firmware DHCP captures used by codec.test.ts: real QEMU VMs PXE-booting from
// the real bootd in the QEMU boot lab (e2e/boot/qemu-lab.ts: a throwaway namespace with a
// bridge, bootd on 10.66.0.1, taps for the VMs; nothing touches the root namespace), with
// tcpdump on the bridge. Each VM is stopped once its firmware's DHCP is done, so a file holds
// the firmware's packets and bootd's replies and nothing of the booted OS. Run as root:
//   bash scripts/with-test-db.sh node --import tsx boot-services/dhcp/testdata/capture-firmware.ts [name...]
// Writes <name>.pcap here and prints the QEMU command and firmware package versions used
// (README.md records the ones of the committed files).
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QemuLab, bootLabSkipReason, timelineByMac } from '../../../e2e/boot/qemu-lab.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Capture {
  name: string;
  mac: string;
  ip: string;
  /** SeaBIOS with QEMU's iPXE ROM; OVMF without a ROM (its own PXE); OVMF with QEMU's iPXE ROM (EFI iPXE). */
  firmware: 'bios' | 'ovmf' | 'ovmf-ipxe-rom';
  /** bootd ACKs to this MAC that end the firmware's part of the boot. */
  acks: number;
  /** SMBIOS type 1 UUID (QEMU -uuid): what the firmware sends as option 97. */
  uuid: string;
  about: string;
}

const captures: Capture[] = [
  { name: 'ipxe-rom-bios', mac: '52:54:00:fb:00:01', ip: '10.66.0.21', firmware: 'bios', acks: 1, uuid: '0c1f2e3d-4b5a-4697-8877-a1b2c3d4e501',
    about: 'SeaBIOS + QEMU iPXE ROM (arch 0): DORA; bootd hands it pxelinux.0 (the role boots pxelinux)' },
  { name: 'ovmf-ipxe-efi', mac: '52:54:00:fb:00:02', ip: '10.66.0.22', firmware: 'ovmf', acks: 2, uuid: '0c1f2e3d-4b5a-4697-8877-a1b2c3d4e502',
    about: 'OVMF PXE (arch 7) DORA → ipxe.efi over TFTP → ipxe.efi DORA (175, 77 "iPXE") → script URL' },
  { name: 'ipxe-rom-ovmf', mac: '52:54:00:fb:00:03', ip: '10.66.0.23', firmware: 'ovmf-ipxe-rom', acks: 1, uuid: '0c1f2e3d-4b5a-4697-8877-a1b2c3d4e503',
    about: 'OVMF + QEMU iPXE ROM (EFI iPXE runs straight away, arch 7, 175): DORA → script URL' },
];

function qemuArgs(lab: QemuLab, c: Capture, tap: string): string[] {
  const args = ['-accel', lab.accel, '-m', '512', '-smp', '1', '-uuid', c.uuid, '-display', 'none', '-monitor', 'none',
    '-serial', `file:${path.join(lab.tmp, `${c.name}.console`)}`, '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`,
    // romfile= (empty): no option ROM, so OVMF's own PXE does the DHCP (as in the UEFI boot lab).
    '-device', `virtio-net-pci,netdev=n0,mac=${c.mac},bootindex=1${c.firmware === 'ovmf' ? ',romfile=' : ''}`];
  if (c.firmware === 'bios') return [...args, '-boot', 'order=n'];
  const vars = path.join(lab.tmp, `${c.name}.vars.fd`);
  fs.copyFileSync('/usr/share/OVMF/OVMF_VARS_4M.fd', vars);
  return [...args, '-machine', 'q35', '-drive', 'if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd',
    '-drive', `if=pflash,format=raw,unit=1,file=${vars}`];
}

async function waitForAcks(lab: QemuLab, c: Capture, vm: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const acks = (await timelineByMac(lab, c.mac)).filter((e) => e.source === 'dhcp' && e.type === 'ack').length;
    if (acks >= c.acks) return;
    if (vm.exitCode !== null) throw new Error(`${c.name}: QEMU exited ${vm.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${c.name}: ${acks} of ${c.acks} ACKs in ${timeoutMs} ms`);
    await sleep(250);
  }
}

async function capture(lab: QemuLab, c: Capture, index: number): Promise<void> {
  await lab.addHost({ hostname: c.name, mac: c.mac, ip: c.ip });
  const out = path.join(here, `${c.name}.pcap`);
  const tcpdump = lab.server.spawn('tcpdump', ['--immediate-mode', '-Z', 'root', '-i', lab.bridge, '-U', '-s', '0', '-w', `${out}.part`,
    // No MAC filter: bootd may broadcast its replies (RFC 2131 §4.1); one VM runs at a time.
    // 4011: a PXE client's boot server discovery, if the firmware tried one (none seen so far).
    'udp port 67 or udp port 68 or udp port 4011'], { stdio: 'ignore' });
  await sleep(1000);
  const tap = lab.netns.addTap(lab.server, lab.bridge, `c${index}`);
  const args = qemuArgs(lab, c, tap);
  console.log(`# ${c.name}: ${c.about}\nqemu-system-x86_64 ${args.join(' ')}`);
  const vm = lab.server.spawn('qemu-system-x86_64', args, { stdio: 'ignore' });
  try {
    await waitForAcks(lab, c, vm, lab.accel === 'kvm' ? 120_000 : 420_000);
    // Late retransmissions or a DHCP client's follow-up still belong to the firmware's exchange.
    await sleep(3000);
  } finally {
    vm.kill('SIGKILL');
    await sleep(500);
    tcpdump.kill('SIGTERM');
    await new Promise((r) => (tcpdump.exitCode === null ? tcpdump.once('exit', r) : r(null)));
    try { lab.server.exec('ip', ['link', 'del', tap]); } catch { /* gone with the VM */ }
  }
  fs.renameSync(`${out}.part`, out);
  console.log(`wrote ${path.relative(process.cwd(), out)} (${fs.statSync(out).size} bytes)`);
}

async function main(): Promise<void> {
  const skip = bootLabSkipReason();
  if (skip) throw new Error(skip);
  const only = process.argv.slice(2);
  console.log(execFileSync('dpkg-query', ['-W', '-f', '${Package} ${Version}\\n', 'qemu-system-x86', 'ipxe-qemu', 'ipxe', 'ovmf', 'seabios'], { encoding: 'utf8' }));
  const lab = await QemuLab.start({ role: { rootMode: 'ram', bootLoader: 'pxelinux' } });
  try {
    console.log(`accel ${lab.accel}`);
    await lab.startBootd();
    for (const [i, c] of captures.entries()) if (only.length === 0 || only.includes(c.name)) await capture(lab, c, i);
  } finally {
    await lab.dispose();
  }
}

main().catch((err: unknown) => { console.error(err); process.exit(1); });
