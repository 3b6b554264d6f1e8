// Records each boot's serial console while the boot is open: for hosts with a BMC, from the
// moment Fleetboot powers them into a boot (an audited power action) or their boot session
// opens (bootd saw the DHCP DISCOVER), until the session ends. Output that arrives before the
// session exists (firmware, before its DHCP DISCOVER) is held and written to the session when
// it opens. Written in chunks of about a second; a boot keeps at most maxCharsPerBoot, the
// oldest chunks going first (what the console said when it failed is at the end).
import type { HostConsoles } from './host-consoles.ts';
import { ConsoleTextDecoder } from './console-text.ts';

export interface BootConsoleStore {
  listOpenBootsOfBmcHosts(now: Date): Promise<Array<{ sessionId: string; hostId: string }>>;
  listHostsPoweredIntoBootSince(since: Date): Promise<Array<{ hostId: string; at: Date }>>;
  appendConsoleChunk(chunk: { sessionId: string; hostId: string; at: Date; text: string }): Promise<bigint>;
  deleteConsoleChunks(ids: bigint[]): Promise<void>;
}

export interface BootConsoleRecorderOptions {
  consoles: Pick<HostConsoles, 'record' | 'stopRecording'>;
  store: BootConsoleStore;
  pollMs: number;
  flushMs: number;
  maxCharsPerBoot: number;
  /** how long output is held for a boot session that hasn't opened yet */
  pendingMs: number;
  log?: (line: string) => void;
  now?: () => Date;
}

interface Capture {
  hostId: string;
  sessionId: string | null;
  startedAt: Date;
  decoder: ConsoleTextDecoder;
  pending: string;
  pendingAt: Date | null;
  chunks: Array<{ id: bigint; chars: number }>;
  chars: number;
  recorder: (bytes: Buffer) => void;
  writing: Promise<void>;
}

export class BootConsoleRecorder {
  private readonly captures = new Map<string, Capture>();
  private pollTimer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private lastPowerCheck: Date;
  private polling: Promise<void> = Promise.resolve();
  private readonly now: () => Date;

  constructor(private readonly opts: BootConsoleRecorderOptions) {
    this.now = opts.now ?? (() => new Date());
    this.lastPowerCheck = this.now();
  }

  start(): void {
    this.pollTimer = setInterval(() => void this.pollOnce(), this.opts.pollMs);
    this.flushTimer = setInterval(() => void this.flushAll(), this.opts.flushMs);
    this.pollTimer.unref();
    this.flushTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.flushTimer) clearInterval(this.flushTimer);
    await this.polling;
    await Promise.all([...this.captures.values()].map((c) => this.end(c)));
  }

  /** Hosts being recorded and the boot each is written to (null: waiting for its session). */
  recording(): Map<string, string | null> {
    return new Map([...this.captures.values()].map((c) => [c.hostId, c.sessionId]));
  }

  /** One look at the database: start, attach and end captures. */
  pollOnce(): Promise<void> {
    this.polling = this.polling.then(() => this.poll()).catch((err: Error) => this.opts.log?.(`boot console recording: ${err.message}`));
    return this.polling;
  }

  private async poll(): Promise<void> {
    const now = this.now();
    const since = this.lastPowerCheck;
    this.lastPowerCheck = now;
    const [open, powered] = await Promise.all([this.opts.store.listOpenBootsOfBmcHosts(now), this.opts.store.listHostsPoweredIntoBootSince(since)]);
    for (const { hostId } of powered) {
      const capture = this.captures.get(hostId);
      // A new power action starts a new boot: the one being written is over for us.
      if (capture?.sessionId) await this.end(capture);
      if (!this.captures.has(hostId)) this.begin(hostId, null);
    }
    const openByHost = new Map<string, string>();
    for (const boot of open) openByHost.set(boot.hostId, boot.sessionId); // the newest open boot wins
    for (const [hostId, sessionId] of openByHost) {
      const capture = this.captures.get(hostId);
      if (!capture) {
        this.begin(hostId, sessionId);
      } else if (capture.sessionId === null) {
        capture.sessionId = sessionId;
      } else if (capture.sessionId !== sessionId) {
        await this.end(capture);
        this.begin(hostId, sessionId);
      }
    }
    for (const capture of [...this.captures.values()]) {
      const stillOpen = capture.sessionId !== null && openByHost.get(capture.hostId) === capture.sessionId;
      const waiting = capture.sessionId === null && now.getTime() - capture.startedAt.getTime() < this.opts.pendingMs;
      if (!stillOpen && !waiting) await this.end(capture);
    }
  }

  private begin(hostId: string, sessionId: string | null): void {
    const capture: Capture = {
      hostId,
      sessionId,
      startedAt: this.now(),
      decoder: new ConsoleTextDecoder(),
      pending: '',
      pendingAt: null,
      chunks: [],
      chars: 0,
      recorder: (bytes) => {
        const text = capture.decoder.decode(bytes);
        if (!text) return;
        capture.pendingAt ??= this.now();
        capture.pending += text;
        // Held output of a boot whose session never opens is bounded too.
        if (capture.pending.length > this.opts.maxCharsPerBoot) capture.pending = capture.pending.slice(-this.opts.maxCharsPerBoot);
      },
      writing: Promise.resolve(),
    };
    try {
      this.opts.consoles.record(hostId, capture.recorder);
    } catch (err) {
      this.opts.log?.(`boot console of ${hostId} not recorded: ${(err as Error).message}`);
      return;
    }
    this.captures.set(hostId, capture);
  }

  private async end(capture: Capture): Promise<void> {
    if (this.captures.get(capture.hostId) === capture) this.captures.delete(capture.hostId);
    this.opts.consoles.stopRecording(capture.hostId, capture.recorder);
    await this.flush(capture);
  }

  private async flushAll(): Promise<void> {
    await Promise.all([...this.captures.values()].map((c) => this.flush(c)));
  }

  private flush(capture: Capture): Promise<void> {
    capture.writing = capture.writing.then(async () => {
      if (!capture.sessionId || !capture.pending) return;
      const text = capture.pending;
      const at = capture.pendingAt ?? this.now();
      capture.pending = '';
      capture.pendingAt = null;
      try {
        const id = await this.opts.store.appendConsoleChunk({ sessionId: capture.sessionId, hostId: capture.hostId, at, text });
        capture.chunks.push({ id, chars: text.length });
        capture.chars += text.length;
        const drop: bigint[] = [];
        while (capture.chars > this.opts.maxCharsPerBoot && capture.chunks.length > 1) {
          const oldest = capture.chunks.shift()!;
          capture.chars -= oldest.chars;
          drop.push(oldest.id);
        }
        await this.opts.store.deleteConsoleChunks(drop);
      } catch (err) {
        // Kept for the next flush: a database hiccup loses no console output (up to the cap).
        capture.pending = (text + capture.pending).slice(-this.opts.maxCharsPerBoot);
        capture.pendingAt = at;
        this.opts.log?.(`boot console of ${capture.hostId} not written yet: ${(err as Error).message}`);
      }
    });
    return capture.writing;
  }
}
