// Every host's serial console as this console process holds it: one SOL link per host (a BMC
// serves one SOL payload at a time, IPMI v2.0 §24.1), shared by everyone watching it. One
// viewer at a time holds the keyboard (the first operator to open it; an admin may take it
// over); the others watch. Recorders (a boot being captured) keep the link open like a viewer.
// A link nobody watches or records is closed after idleCloseMs. A viewer whose connection
// can't keep up misses output (told how much) rather than holding the link or the process's
// memory: SOL has no way to slow the host down for one reader.
import type { Actor } from '../auth/actor.ts';
import { allows } from '../auth/actor.ts';
import { ConsoleScrollback } from './console-scrollback.ts';
import type { SolEndReason, SolLink } from './sol-link.ts';

export type ConsoleState = 'connecting' | 'open' | 'ended';

/** What one viewer is told about the console they watch. */
export interface ConsoleStatus {
  type: 'status';
  state: ConsoleState;
  /** who holds the keyboard (their user name), or null */
  holder: string | null;
  /** this viewer holds the keyboard */
  typing: boolean;
  /** this viewer may take the keyboard now: an operator when it is free, an admin always */
  canTake: boolean;
  viewers: number;
  /** why the link ended or could not start */
  detail?: string;
  endReason?: SolEndReason;
}

export interface ConsoleNotice {
  type: 'notice';
  text: string;
}

/** A browser (or script) watching a console: the transport behind it is the WebSocket's. */
export interface ConsoleViewer {
  readonly actor: Actor;
  sendOutput(bytes: Buffer): void;
  sendMessage(message: ConsoleStatus | ConsoleNotice): void;
  /** bytes queued for this viewer and not yet sent (WebSocket bufferedAmount) */
  queuedBytes(): number;
}

export type ConsoleRecorder = (bytes: Buffer) => void;

export type ConsoleAuditAction = 'console-start' | 'console-takeover' | 'console-end';

export interface HostConsolesOptions {
  openLink(hostId: string, opts: { deactivateFirst: boolean }): Promise<SolLink>;
  audit(actor: Actor, action: ConsoleAuditAction, hostId: string, detail: Record<string, unknown>): Promise<void>;
  /** SOL links this process holds at most (each is an ipmitool process and a BMC session) */
  maxLinks: number;
  idleCloseMs: number;
  /** a viewer with more than this queued misses output until it drains */
  maxQueuedBytesPerViewer: number;
  scrollbackBytes: number;
  log?: (line: string) => void;
}

export class ConsoleLimitError extends Error {}

interface HostConsole {
  hostId: string;
  state: ConsoleState;
  link: SolLink | null;
  detail?: string;
  endReason?: SolEndReason;
  viewers: Set<ConsoleViewer>;
  holder: ConsoleViewer | null;
  recorders: Set<ConsoleRecorder>;
  scrollback: ConsoleScrollback;
  skipped: Map<ConsoleViewer, number>;
  idleTimer: NodeJS.Timeout | null;
}

export class HostConsoles {
  private readonly consoles = new Map<string, HostConsole>();
  /** Links being ended per host: a new link waits, or the BMC would still see the old payload. */
  private readonly closing = new Map<string, Promise<void>>();

  constructor(private readonly opts: HostConsolesOptions) {}

  /** Consoles with a link open or opening (what counts against maxLinks). */
  get linkCount(): number {
    let n = 0;
    for (const c of this.consoles.values()) if (c.state !== 'ended') n++;
    return n;
  }

  stateOf(hostId: string): ConsoleState | null {
    return this.consoles.get(hostId)?.state ?? null;
  }

  holderOf(hostId: string): string | null {
    return this.consoles.get(hostId)?.holder?.actor.username ?? null;
  }

  /** A viewer starts watching; an operator gets the keyboard when nobody holds it. */
  attach(hostId: string, viewer: ConsoleViewer): void {
    const hc = this.consoleFor(hostId);
    hc.viewers.add(viewer);
    this.cancelIdle(hc);
    const tail = hc.scrollback.contents();
    if (tail.length) viewer.sendOutput(tail);
    if (!hc.holder && allows(viewer.actor, 'operator')) hc.holder = viewer;
    void this.opts.audit(viewer.actor, 'console-start', hostId, { typing: hc.holder === viewer, viewers: hc.viewers.size });
    if (hc.state === 'ended') this.startLink(hc, false);
    this.broadcastStatus(hc);
  }

  detach(hostId: string, viewer: ConsoleViewer): void {
    const hc = this.consoles.get(hostId);
    if (!hc?.viewers.delete(viewer)) return;
    hc.skipped.delete(viewer);
    const wasHolder = hc.holder === viewer;
    if (wasHolder) hc.holder = null;
    void this.opts.audit(viewer.actor, 'console-end', hostId, { typed: wasHolder, viewers: hc.viewers.size });
    this.broadcastStatus(hc);
    this.closeWhenIdle(hc);
  }

  /** Keystrokes from a viewer: only the keyboard's holder types. */
  input(hostId: string, viewer: ConsoleViewer, bytes: Uint8Array): boolean {
    const hc = this.consoles.get(hostId);
    if (!hc || hc.holder !== viewer || !hc.link?.isOpen) return false;
    hc.link.write(bytes);
    return true;
  }

  /**
   * The viewer asks for the keyboard: an operator gets it when it is free; an admin takes it
   * from whoever holds it (audited, the previous holder is told). When the BMC said another
   * session (outside Fleetboot) holds the hc, an admin's take deactivates that one first.
   */
  take(hostId: string, viewer: ConsoleViewer): void {
    const hc = this.consoles.get(hostId);
    if (!hc?.viewers.has(viewer)) return;
    const admin = allows(viewer.actor, 'admin');
    if (hc.state === 'ended') {
      if (!allows(viewer.actor, 'operator')) return viewer.sendMessage({ type: 'notice', text: 'only an operator can reconnect the console' });
      const outside = hc.endReason === 'busy';
      if (outside && !admin) return viewer.sendMessage({ type: 'notice', text: 'another session holds this console at the BMC: an admin can take it over' });
      if (outside) void this.opts.audit(viewer.actor, 'console-takeover', hostId, { from: 'a session outside Fleetboot' });
      if (!hc.holder) hc.holder = viewer;
      this.startLink(hc, outside);
      return this.broadcastStatus(hc);
    }
    if (hc.holder === viewer) return;
    if (hc.holder && !admin) {
      return viewer.sendMessage({ type: 'notice', text: `in use by ${hc.holder.actor.username}: an admin can take it over` });
    }
    if (!allows(viewer.actor, 'operator')) return viewer.sendMessage({ type: 'notice', text: 'viewers watch the console; typing needs the operator role' });
    const previous = hc.holder;
    hc.holder = viewer;
    if (previous) {
      void this.opts.audit(viewer.actor, 'console-takeover', hostId, { from: previous.actor.username });
      previous.sendMessage({ type: 'notice', text: `${viewer.actor.username} took over the keyboard` });
    }
    this.broadcastStatus(hc);
  }

  release(hostId: string, viewer: ConsoleViewer): void {
    const hc = this.consoles.get(hostId);
    if (!hc || hc.holder !== viewer) return;
    hc.holder = null;
    this.broadcastStatus(hc);
  }

  /** A recorder gets every byte from now on and keeps the link open until it stops. */
  record(hostId: string, recorder: ConsoleRecorder): void {
    const hc = this.consoleFor(hostId);
    hc.recorders.add(recorder);
    this.cancelIdle(hc);
    if (hc.state === 'ended') this.startLink(hc, false);
  }

  stopRecording(hostId: string, recorder: ConsoleRecorder): void {
    const hc = this.consoles.get(hostId);
    if (!hc?.recorders.delete(recorder)) return;
    this.closeWhenIdle(hc);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.consoles.values()].map((c) => this.closeConsole(c)));
  }

  private consoleFor(hostId: string): HostConsole {
    const existing = this.consoles.get(hostId);
    if (existing) return existing;
    if (this.linkCount >= this.opts.maxLinks) {
      throw new ConsoleLimitError(`this console process already holds ${this.opts.maxLinks} serial consoles (FLEETBOOT_CONSOLE_MAX_SESSIONS): close one and try again`);
    }
    const hc: HostConsole = {
      hostId,
      state: 'ended',
      link: null,
      viewers: new Set(),
      holder: null,
      recorders: new Set(),
      scrollback: new ConsoleScrollback(this.opts.scrollbackBytes),
      skipped: new Map(),
      idleTimer: null,
    };
    this.consoles.set(hostId, hc);
    return hc;
  }

  private startLink(hc: HostConsole, deactivateFirst: boolean): void {
    hc.state = 'connecting';
    hc.detail = undefined;
    hc.endReason = undefined;
    const previous = this.closing.get(hc.hostId) ?? Promise.resolve();
    previous.then(() => this.opts.openLink(hc.hostId, { deactivateFirst })).then(
      (link) => {
        if (this.consoles.get(hc.hostId) !== hc) return void link.close();
        hc.link = link;
        link.on('open', () => {
          hc.state = 'open';
          this.broadcastStatus(hc);
        });
        link.on('data', (bytes) => this.output(hc, bytes));
        link.on('end', (reason, detail) => {
          if (hc.link !== link) return;
          hc.link = null;
          hc.state = 'ended';
          hc.endReason = reason;
          hc.detail = detail || undefined;
          this.opts.log?.(`console ${hc.hostId}: SOL ended (${reason}${detail ? `: ${detail}` : ''})`);
          this.broadcastStatus(hc);
          this.closeWhenIdle(hc);
        });
      },
      (err: Error) => {
        hc.state = 'ended';
        hc.endReason = 'failed';
        hc.detail = err.message;
        this.broadcastStatus(hc);
        this.closeWhenIdle(hc);
      },
    );
  }

  private output(hc: HostConsole, bytes: Buffer): void {
    hc.scrollback.append(bytes);
    for (const record of hc.recorders) record(bytes);
    for (const viewer of hc.viewers) {
      const skipped = hc.skipped.get(viewer) ?? 0;
      if (viewer.queuedBytes() > this.opts.maxQueuedBytesPerViewer) {
        hc.skipped.set(viewer, skipped + bytes.length);
        continue;
      }
      if (skipped) {
        hc.skipped.delete(viewer);
        viewer.sendMessage({ type: 'notice', text: `${skipped} bytes of console output skipped: your connection was slower than the console` });
      }
      viewer.sendOutput(bytes);
    }
  }

  private broadcastStatus(hc: HostConsole): void {
    for (const viewer of hc.viewers) viewer.sendMessage(this.statusFor(hc, viewer));
  }

  private statusFor(hc: HostConsole, viewer: ConsoleViewer): ConsoleStatus {
    const operator = allows(viewer.actor, 'operator');
    const admin = allows(viewer.actor, 'admin');
    const typing = hc.holder === viewer;
    return {
      type: 'status',
      state: hc.state,
      holder: hc.holder?.actor.username ?? null,
      typing,
      canTake: !typing && operator && (hc.state === 'ended' ? hc.endReason !== 'busy' || admin : !hc.holder || admin),
      viewers: hc.viewers.size,
      ...(hc.detail ? { detail: hc.detail } : {}),
      ...(hc.endReason ? { endReason: hc.endReason } : {}),
    };
  }

  private cancelIdle(hc: HostConsole): void {
    if (hc.idleTimer) clearTimeout(hc.idleTimer);
    hc.idleTimer = null;
  }

  private closeWhenIdle(hc: HostConsole): void {
    if (hc.viewers.size || hc.recorders.size || hc.idleTimer) return;
    hc.idleTimer = setTimeout(() => {
      hc.idleTimer = null;
      if (!hc.viewers.size && !hc.recorders.size) void this.closeConsole(hc);
    }, this.opts.idleCloseMs);
    hc.idleTimer.unref();
  }

  private async closeConsole(hc: HostConsole): Promise<void> {
    this.cancelIdle(hc);
    if (this.consoles.get(hc.hostId) === hc) this.consoles.delete(hc.hostId);
    const link = hc.link;
    hc.link = null;
    hc.state = 'ended';
    if (!link) return;
    const closed = link.close().finally(() => {
      if (this.closing.get(hc.hostId) === closed) this.closing.delete(hc.hostId);
    });
    this.closing.set(hc.hostId, closed);
    await closed;
  }
}
