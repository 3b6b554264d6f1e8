// A transfer worker thread (see worker-transfer-runner.ts): runs the transfers it is handed
// with its own sockets and file cache, and reports progress and results to the main thread.
import { parentPort } from 'node:worker_threads';
import { FileCache } from '../boot-config/file-cache.ts';
import { LocalTransferRunner, type RunningTransfer } from './transfer-runner.ts';
import type { FromWorker, ToWorker } from './worker-transfer-runner.ts';

/** At most one progress message per transfer per this interval (events are throttled further). */
const progressMessageIntervalMs = 250;

const port = parentPort!;
const runner = new LocalTransferRunner(new FileCache());
const running = new Map<number, RunningTransfer>();
const post = (msg: FromWorker) => port.postMessage(msg);

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'abort') {
    running.get(msg.id)?.abort(msg.message);
    return;
  }
  const id = msg.id;
  let lastProgressMs = 0;
  running.set(id, runner.start(msg.spec, {
    onProgress(bytes) {
      const now = Date.now();
      if (now - lastProgressMs < progressMessageIntervalMs) return;
      lastProgressMs = now;
      post({ type: 'progress', id, bytes });
    },
    onForeignPacket(from) {
      post({ type: 'foreign', id, from });
    },
    onFinish(result) {
      running.delete(id);
      post({ type: 'finished', id, result });
    },
  }));
});
