// The boot events one machine produces on its way from firmware to `up`, in the words bootd's
// services record them (dhcp/server.ts, tftp/service.ts, http/service.ts, the agent's reports),
// for tests and the events benchmark that feed bootd's real ingest path (EventWriter) without
// QEMU. `steps()` lists them; a test can stop anywhere (a boot that stalls mid-transfer).
import type { BootEventInput } from '../events/event-sink.ts';

export interface SimulatedMachine {
  hostId: string | null;
  mac: string;
  ip?: string;
  kernelBytes?: number;
  initrdBytes?: number;
  rootfsBytes?: number;
  /** Progress events per transfer (between start and done). */
  progressSteps?: number;
  /** End with the agent's `failed` report instead of `up`. */
  fail?: boolean;
}

export function simulatedBootSteps(m: SimulatedMachine): Array<Omit<BootEventInput, 'at'>> {
  const base = { hostId: m.hostId, mac: m.mac };
  const clientIp = m.ip ?? '10.66.0.50';
  const pxe = { traits: { arch: 0, vendorClass: 'PXEClient:Arch:00000:UNDI:002001' } };
  const steps: Array<Omit<BootEventInput, 'at'>> = [
    { ...base, source: 'dhcp', type: 'discover', detail: pxe },
    { ...base, source: 'dhcp', type: 'offer', detail: { ip: clientIp } },
    { ...base, source: 'dhcp', type: 'request', detail: pxe },
    { ...base, source: 'dhcp', type: 'ack', detail: { ip: clientIp } },
    { ...base, source: 'tftp', type: 'transfer-start', detail: { file: 'pxelinux.0', clientIp }, bytesDone: 0, bytesTotal: 46_000 },
    { ...base, source: 'tftp', type: 'transfer-done', detail: { file: 'pxelinux.0', clientIp }, bytesDone: 46_000, bytesTotal: 46_000 },
  ];
  const transfer = (kind: 'kernel' | 'initrd' | 'rootfs', total: number) => {
    const file = `images/img-1/${kind}`;
    steps.push({ ...base, source: 'http', type: 'transfer-start', detail: { file, clientIp }, bytesDone: 0, bytesTotal: total });
    const n = m.progressSteps ?? 3;
    for (let i = 1; i <= n; i++) steps.push({ ...base, source: 'http', type: 'progress', detail: { file, clientIp }, bytesDone: Math.floor((total * i) / (n + 1)), bytesTotal: total });
    steps.push({ ...base, source: 'http', type: 'transfer-done', detail: { file, clientIp, status: 200 }, bytesDone: total, bytesTotal: total });
  };
  transfer('kernel', m.kernelBytes ?? 8_000_000);
  transfer('initrd', m.initrdBytes ?? 30_000_000);
  steps.push({ ...base, source: 'agent', type: 'network-up', detail: { phase: 'network-up' } });
  steps.push({ ...base, source: 'agent', type: 'identity', detail: { phase: 'identity' } });
  transfer('rootfs', m.rootfsBytes ?? 200_000_000);
  steps.push({ ...base, source: 'agent', type: 'switch-root', detail: { phase: 'switch-root' } });
  steps.push(m.fail ? { ...base, source: 'agent', type: 'failed', detail: { phase: 'failed', reason: 'rootfs: checksum mismatch' } } : { ...base, source: 'agent', type: 'up', detail: { phase: 'up' } });
  return steps;
}

/** Index of the first step of the named transfer's progress (to stop a boot mid-transfer). */
export function midTransferIndex(steps: Array<Omit<BootEventInput, 'at'>>, kind: 'kernel' | 'initrd' | 'rootfs'): number {
  return steps.findIndex((s) => s.type === 'progress' && String(s.detail?.file).endsWith(`/${kind}`)) + 1;
}
