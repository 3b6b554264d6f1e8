// bootd's TFTP service: wires the server to the boot-file namespace, the event sink (one
// timeline per host, found by the client's address) and the metrics. main.ts calls
// startTftpService(ctx).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import { clientHostsOf, type BootdContext, type RunningService } from '../bootd-context.ts';
import type { BootEventInput } from '../events/event-sink.ts';
import { setUpBootFiles } from '../boot-config/boot-files-setup.ts';
import { isOptionalProbe } from '../boot-config/boot-files.ts';
import { FileCache } from '../boot-config/file-cache.ts';
import { bootFileOpener } from './boot-file-opener.ts';
import { listenAddresses } from '../listen-addresses.ts';
import { transferRate } from '../events/transfer-rate.ts';
import { blockBytesForMtu } from './options.ts';
import { defaultAdmissionLimits, type AdmissionLimits } from './admission.ts';
import { TftpServer, type TftpObserver, type TransferInfo } from './server.ts';
import { LocalTransferRunner, type TransferRunner } from './transfer-runner.ts';
import { WorkerTransferRunner } from './worker-transfer-runner.ts';
import type { Endpoint } from './read-transfer.ts';

export interface TftpTuning {
  admission: AdmissionLimits;
  /** RFC 7440 windows beyond this are answered with this. */
  maxWindowBlocks: number;
  /** Retransmission timeout when the client didn't ask for one (RFC 2349). */
  defaultTimeoutMs: number;
  maxRetries: number;
  /** At most one progress event per transfer per this interval. */
  progressIntervalMs: number;
  cache: FileCache;
  /** Threads sending transfers; 0 keeps them on bootd's main thread. */
  transferWorkers: number;
}

export const defaultTftpTuning = (): TftpTuning => ({
  admission: defaultAdmissionLimits,
  maxWindowBlocks: 64,
  defaultTimeoutMs: 1000,
  maxRetries: 6,
  progressIntervalMs: 1000,
  cache: new FileCache(),
  // One per core: the storm's cost is per-datagram kernel work on the sending thread.
  transferWorkers: os.availableParallelism(),
});

const mtuMemo = new Map<string, { mtu: number; atMs: number }>();
/** How long an interface's MTU is trusted before sysfs is read again. */
const mtuMemoMs = 10_000;

/** The MTU of the interface holding this address, from sysfs (1500 when unknown); memoized. */
export function mtuForAddress(address: string): number {
  const now = Date.now();
  const memo = mtuMemo.get(address);
  if (memo && now - memo.atMs < mtuMemoMs) return memo.mtu;
  const mtu = readMtu(address);
  mtuMemo.set(address, { mtu, atMs: now });
  return mtu;
}

function readMtu(address: string): number {
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    if (!addrs?.some((a) => a.address === address)) continue;
    try {
      return Number(readFileSync(`/sys/class/net/${name}/mtu`, 'utf8').trim()) || 1500;
    } catch {
      return 1500;
    }
  }
  return 1500;
}

export function tftpEventObserver(ctx: Pick<BootdContext, 'events' | 'metrics' | 'view' | 'clients'>, progressIntervalMs: number): TftpObserver {
  const clients = clientHostsOf(ctx);
  const lastProgress = new WeakMap<TransferInfo, number>();
  const help = {
    transfers: 'TFTP transfers by result',
    bytes: 'Bytes sent in TFTP transfers that completed',
    refused: 'TFTP requests refused, by reason',
    foreign: 'TFTP packets from an unknown transfer ID (answered with error 5)',
  };
  const event = (t: TransferInfo, type: string, detail: Record<string, unknown>, extra: Partial<BootEventInput> = {}) =>
    ctx.events.record({ source: 'tftp', type, hostId: t.hostHint.hostId, mac: t.hostHint.mac, detail: { file: t.fileName, clientIp: t.client.address, ...(t.hostHint.by ? { matchedBy: t.hostHint.by } : {}), ...detail }, ...extra });
  return {
    refused(client: Endpoint, reason: string, fileName: string | null) {
      ctx.metrics.inc('fleetboot_tftp_refused_total', help.refused, { reason });
      if (reason === 'not-found' && fileName && isOptionalProbe(fileName)) return;
      const at = new Date();
      clients.whenKnown(client.address, (known) => ctx.events.record({
        source: 'tftp', type: 'transfer-error', hostId: known.host?.id ?? null, mac: known.mac, at, detail: { file: fileName, clientIp: client.address, matchedBy: known.by, reason },
      }));
    },
    started(t) {
      ctx.metrics.inc('fleetboot_tftp_transfers_total', help.transfers, { result: 'started' });
      event(t, 'transfer-start', { blockBytes: t.blockBytes, windowBlocks: t.windowBlocks }, { bytesDone: 0, bytesTotal: t.sizeBytes });
    },
    progress(t, bytes) {
      const now = Date.now();
      if (bytes >= t.sizeBytes || now - (lastProgress.get(t) ?? t.startedAtMs) < progressIntervalMs) return;
      lastProgress.set(t, now);
      event(t, 'progress', {}, { bytesDone: bytes, bytesTotal: t.sizeBytes });
    },
    finished(t, result) {
      const durationMs = Date.now() - t.startedAtMs;
      if (result.ok) {
        ctx.metrics.inc('fleetboot_tftp_transfers_total', help.transfers, { result: 'done' });
        ctx.metrics.inc('fleetboot_tftp_bytes_sent_total', help.bytes, {}, result.bytesSent);
        ctx.metrics.inc('fleetboot_tftp_resent_blocks_total', 'DATA blocks sent again (timeouts, partial window ACKs)', {}, result.resentBlocks);
        event(t, 'transfer-done', { durationMs, bytesPerSecond: transferRate(t.sizeBytes, durationMs) }, { bytesDone: t.sizeBytes, bytesTotal: t.sizeBytes });
      } else if (result.reason === 'size-probe') {
        // read-transfer.ts: the client read the size from our OACK and stopped, as UEFI PXE does before every file.
        ctx.metrics.inc('fleetboot_tftp_transfers_total', help.transfers, { result: 'size-probe' });
      } else {
        ctx.metrics.inc('fleetboot_tftp_transfers_total', help.transfers, { result: 'error' });
        event(t, 'transfer-error', { reason: result.reason, message: result.message, durationMs });
      }
    },
    foreignPacket(t, from) {
      ctx.metrics.inc('fleetboot_tftp_foreign_packets_total', help.foreign);
      event(t, 'foreign-packet', { from: `${from.address}:${from.port}` });
    },
  };
}

export async function startTftpService(ctx: BootdContext, tuning: TftpTuning = defaultTftpTuning()): Promise<RunningService & { server: TftpServer }> {
  const { files } = await setUpBootFiles(ctx);
  const local = new LocalTransferRunner(tuning.cache);
  const runner: TransferRunner = tuning.transferWorkers > 0
    ? new WorkerTransferRunner(tuning.transferWorkers, local, (err) => ctx.log.error('tftp transfer worker failed; its transfers moved to the main thread', { error: err.message }))
    : local;
  const server = new TftpServer({
    addresses: listenAddresses(ctx.config),
    port: ctx.config.tftpPort,
    openFile: bootFileOpener(files, tuning.cache, clientHostsOf(ctx)),
    maxBlockBytesFor: (address) => blockBytesForMtu(mtuForAddress(address), net.isIPv6(address) ? 'IPv6' : 'IPv4'),
    maxWindowBlocks: tuning.maxWindowBlocks,
    defaultTimeoutMs: tuning.defaultTimeoutMs,
    maxRetries: tuning.maxRetries,
    admission: tuning.admission,
    observer: tftpEventObserver(ctx, tuning.progressIntervalMs),
    runner,
  });
  await server.listen();
  ctx.log.info('tftp listening', { addresses: listenAddresses(ctx.config), port: server.boundPort() });
  return { name: 'tftp', server, close: () => server.close() };
}
