// Spreads transfers over worker threads, each running a LocalTransferRunner with its own
// sockets and file cache. Why: a storm's cost is the kernel's per-datagram path (sendmsg on a
// veth or NIC), paid on the sending thread; tftpd-hpa gets every core by forking per client,
// and this gets them with one thread per core. Falls back to this thread if a worker dies.
import { Worker } from 'node:worker_threads';
import type { Endpoint, TransferResult } from './read-transfer.ts';
import type { RunningTransfer, TransferHooks, TransferRunner, TransferSpec } from './transfer-runner.ts';

export type ToWorker = { type: 'start'; id: number; spec: TransferSpec } | { type: 'abort'; id: number; message: string };
export type FromWorker =
  | { type: 'progress'; id: number; bytes: number }
  | { type: 'foreign'; id: number; from: Endpoint }
  | { type: 'finished'; id: number; result: TransferResult };

interface WorkerSlot {
  worker: Worker;
  running: Map<number, TransferHooks>;
  alive: boolean;
}

export class WorkerTransferRunner implements TransferRunner {
  private readonly slots: WorkerSlot[] = [];
  private nextId = 1;

  constructor(workerCount: number, private readonly fallback: TransferRunner, private readonly onWorkerError: (err: Error) => void) {
    for (let i = 0; i < workerCount; i++) this.slots.push(this.spawn());
  }

  private spawn(): WorkerSlot {
    // Node 20 doesn't hand tsx's loader hooks to workers: the worker registers them itself
    // before importing its TypeScript entry.
    const entry = new URL('./transfer-worker.ts', import.meta.url).href;
    const tsxApi = import.meta.resolve('tsx/esm/api');
    const worker = new Worker(`import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`, { eval: true });
    const slot: WorkerSlot = { worker, running: new Map(), alive: true };
    worker.unref();
    worker.on('message', (msg: FromWorker) => {
      const hooks = slot.running.get(msg.id);
      if (!hooks) return;
      if (msg.type === 'progress') hooks.onProgress(msg.bytes);
      else if (msg.type === 'foreign') hooks.onForeignPacket(msg.from);
      else {
        slot.running.delete(msg.id);
        hooks.onFinish(msg.result);
      }
    });
    const fail = (err: Error) => {
      if (!slot.alive) return;
      slot.alive = false;
      this.onWorkerError(err);
      // Transfers on a dead worker are lost; their clients retry and land elsewhere.
      for (const hooks of slot.running.values()) hooks.onFinish({ ok: false, reason: 'read-failed', message: `transfer worker failed: ${err.message}` });
      slot.running.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`transfer worker exited with code ${code}`)));
    return slot;
  }

  start(spec: TransferSpec, hooks: TransferHooks): RunningTransfer {
    const alive = this.slots.filter((s) => s.alive);
    if (alive.length === 0) return this.fallback.start(spec, hooks);
    // Least loaded worker: transfers differ in size, round-robin would pile up long ones.
    const slot = alive.reduce((a, b) => (b.running.size < a.running.size ? b : a));
    const id = this.nextId++;
    slot.running.set(id, hooks);
    slot.worker.postMessage({ type: 'start', id, spec } satisfies ToWorker);
    return { abort: (message) => slot.worker.postMessage({ type: 'abort', id, message } satisfies ToWorker) };
  }

  async close(): Promise<void> {
    for (const slot of this.slots) {
      for (const id of slot.running.keys()) slot.worker.postMessage({ type: 'abort', id, message: 'server shutting down' } satisfies ToWorker);
    }
    // Give the aborts' ERROR packets a moment to leave, then stop the threads.
    await new Promise((r) => setTimeout(r, 50));
    for (const slot of this.slots) {
      slot.alive = false;
      await slot.worker.terminate();
    }
    await this.fallback.close();
  }
}
