// Two bootd on one boot network (DESIGN.md "Growing past one machine"): heartbeats through
// Postgres' "BootdPeer" table, and the RFC 3074 split of pool clients that follows from them.
//
// Why Postgres and not UDP between the peers: a pool client can only be ACKed after its lease
// is committed to Postgres, so "my peer can reach the database" is exactly the liveness that
// matters. A bootd cut off from the database stops heartbeating and its half moves to the
// survivor; over UDP it would keep saying "alive" while unable to ACK anyone. No extra port or
// firewall rule, peers can be discovered from the table, and every time is the database's
// clock (now()), so the machines' clocks never matter.
//
// Takeover, as RFC 3074 §4 and Kea's HA load-balancing do it: the peer must look gone (no
// heartbeat for deadAfterMs, or it said it stopped) AND one of its clients must be waiting
// (DHCP secs ≥ takeoverAfterSecs). A clean shutdown marks the row stopped, so the survivor
// takes over at once. When the peer heartbeats again it gets its half back.
import type { Logger } from '../bootd-context.ts';
import type { EventSink } from '../events/event-sink.ts';
import type { Metrics } from '../metrics.ts';
import type { BootdPeerTable, PeerRow } from '../store/bootd-peers.ts';
import { bucketOwnerIndex, bucketRange, loadBalanceBucket, type PoolClientScope, type ScopeDecision } from './load-balance.ts';

export interface DhcpPeeringConfig {
  /** FLEETBOOT_BOOTD_ID: unique among the bootd sharing the database. */
  bootdId: string;
  /** FLEETBOOT_DHCP_PEERS; empty: the peers are the other rows of "BootdPeer" on the same network. */
  peers: string[];
  heartbeatMs: number;
  /** RFC 3074 §4: a client of a vanished peer is served once it has waited this long (its secs field). */
  takeoverAfterSecs: number;
}

export const defaultHeartbeatMs = 2000;
export const defaultTakeoverAfterSecs = 4;
/** Missed heartbeats before a peer counts as gone. */
const missedHeartbeatsForGone = 3;
/** A discovered peer silent this long is forgotten (decommissioned): it no longer holds a half. */
const forgetDiscoveredPeerMs = 10 * 60_000;

interface PeerState {
  id: string;
  serverAddress: string | null;
  alive: boolean;
  stopped: boolean;
  takenOver: boolean;
}

export interface DhcpPeeringOptions {
  table: Pick<BootdPeerTable, 'beat' | 'markStopped'>;
  config: DhcpPeeringConfig;
  serverAddress: string;
  /** The boot network this bootd serves (for peer discovery), read at each heartbeat. */
  networkId: () => string | null;
  log: Logger;
  metrics: Metrics;
  events: EventSink;
  now?: () => number;
}

export class DhcpPeering implements PoolClientScope {
  private readonly peers = new Map<string, PeerState>();
  /** Every bootd holding buckets, sorted: index i owns bucketRange(i, members.length). */
  private members: string[];
  private timer: NodeJS.Timeout | null = null;
  private firstBeat = true;
  private lastBeatOkMs: number;
  private beating: Promise<void> | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: DhcpPeeringOptions) {
    this.now = opts.now ?? Date.now;
    this.lastBeatOkMs = this.now();
    // Until the first heartbeat is read, configured peers count as alive: never answer their half by mistake.
    for (const id of opts.config.peers) this.peers.set(id, { id, serverAddress: null, alive: true, stopped: false, takenOver: false });
    this.members = this.sortedMembers();
  }

  /** First heartbeat (bounded: a slow database doesn't hold bootd's start), then one every heartbeatMs. */
  async start(): Promise<void> {
    await Promise.race([this.beat(), new Promise((r) => setTimeout(r, 5000).unref())]);
    this.timer = setInterval(() => void this.beat(), this.opts.config.heartbeatMs);
    this.timer.unref();
  }

  private get deadAfterMs(): number {
    return this.opts.config.heartbeatMs * missedHeartbeatsForGone;
  }

  /** One round trip: write our heartbeat, read the peers'. Never throws. */
  beat(): Promise<void> {
    if (this.beating) return this.beating;
    this.beating = this.beatOnce().finally(() => { this.beating = null; });
    return this.beating;
  }

  private async beatOnce(): Promise<void> {
    const { config, log, metrics } = this.opts;
    let rows: PeerRow[];
    try {
      rows = await this.opts.table.beat({ bootdId: config.bootdId, serverAddress: this.opts.serverAddress, networkId: this.opts.networkId(), first: this.firstBeat, peers: config.peers });
      this.firstBeat = false;
      this.lastBeatOkMs = this.now();
    } catch (err) {
      // What we knew of the peers stays: our own trouble with the database is no news about them.
      metrics.inc('fleetboot_dhcp_heartbeat_failures_total', 'bootd heartbeats that could not be written or read', {});
      log.warn('DHCP heartbeat failed', { error: (err as Error).message });
      return;
    }
    const seen = new Set<string>();
    for (const row of rows) {
      const discovered = config.peers.length === 0;
      if (discovered && (row.stopped || row.silentMs > forgetDiscoveredPeerMs) && !this.peers.has(row.id)) continue;
      seen.add(row.id);
      this.update(row.id, row.serverAddress, !row.stopped && row.silentMs < this.deadAfterMs, row.stopped);
    }
    for (const id of [...this.peers.keys()]) {
      if (seen.has(id)) continue;
      // A configured peer without a row has not started (or was removed): gone, not forgotten.
      if (config.peers.includes(id)) this.update(id, null, false, false);
      else this.peers.delete(id);
    }
    const members = this.sortedMembers();
    if (members.join(',') !== this.members.join(',')) {
      this.members = members;
      const mine = bucketRange(members.indexOf(config.bootdId), members.length);
      log.info('DHCP pool clients split', { members, ourBuckets: `${mine.first}-${mine.last}` });
    }
  }

  private update(id: string, serverAddress: string | null, alive: boolean, stopped: boolean): void {
    const { log, metrics, events } = this.opts;
    let p = this.peers.get(id);
    if (!p) {
      p = { id, serverAddress, alive, stopped, takenOver: false };
      this.peers.set(id, p);
      log.info('DHCP peer found', { peer: id, serverAddress, alive });
    }
    if (serverAddress) p.serverAddress = serverAddress;
    if (p.alive && !alive) log.warn('DHCP peer gone', { peer: id, stopped, hint: `its clients are served here once one has waited ${this.opts.config.takeoverAfterSecs} s` });
    if (!p.alive && alive) {
      log.info('DHCP peer back', { peer: id, handedBack: p.takenOver });
      if (p.takenOver) events.record({ source: 'bootd', type: 'dhcp-handback', detail: { peer: id, bootd: this.opts.config.bootdId } });
      p.takenOver = false;
    }
    p.alive = alive;
    p.stopped = stopped;
    metrics.set('fleetboot_dhcp_peer_up', 'DHCP peers heard from within the heartbeat deadline (1) or gone (0)', { peer: id }, alive ? 1 : 0);
  }

  private sortedMembers(): string[] {
    // A stopped discovered peer left for good; a configured one keeps its half (taken over) until it returns.
    const ids = [...this.peers.values()].filter((p) => !(p.stopped && !this.opts.config.peers.includes(p.id))).map((p) => p.id);
    return [this.opts.config.bootdId, ...ids].sort();
  }

  decide(hardwareAddress: Uint8Array, secs: number): ScopeDecision {
    if (this.members.length <= 1) return { serve: true, takeover: false };
    const owner = this.members[bucketOwnerIndex(loadBalanceBucket(hardwareAddress), this.members.length)]!;
    if (owner === this.opts.config.bootdId) {
      // Cut off from the database for longer than a peer waits for us: our half is the peer's now,
      // and we couldn't commit (so couldn't ACK) a pool lease anyway.
      if (this.now() - this.lastBeatOkMs > this.deadAfterMs) return { serve: false, reason: 'peer-half', owner: 'a peer (our heartbeats fail)' };
      return { serve: true, takeover: false };
    }
    const peer = this.peers.get(owner)!;
    if (peer.alive) return { serve: false, reason: 'peer-half', owner };
    if (peer.takenOver) return { serve: true, takeover: true };
    if (!peer.stopped && secs < this.opts.config.takeoverAfterSecs) return { serve: false, reason: 'peer-half-waiting', owner };
    peer.takenOver = true;
    this.opts.log.warn('DHCP takeover: serving the gone peer\'s half of the pool clients', { peer: owner, clientWaitedSecs: secs, stopped: peer.stopped });
    this.opts.metrics.inc('fleetboot_dhcp_takeovers_total', 'Times this bootd started serving a gone peer\'s half of the pool clients', { peer: owner });
    this.opts.events.record({ source: 'bootd', type: 'dhcp-takeover', detail: { peer: owner, bootd: this.opts.config.bootdId, clientWaitedSecs: secs, stopped: peer.stopped } });
    return { serve: true, takeover: true };
  }

  /** True while another bootd shares the pool clients (and so writes leases of our networks). */
  hasPeers(): boolean {
    return this.members.length > 1;
  }

  /** Peers and whether their half is served here: for health output and tests. */
  status(): { members: string[]; peers: Array<{ id: string; alive: boolean; takenOver: boolean }> } {
    return { members: [...this.members], peers: [...this.peers.values()].map(({ id, alive, takenOver }) => ({ id, alive, takenOver })) };
  }

  /** Stops heartbeating and marks the row stopped, so the peer takes over at once. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.beating?.catch(() => undefined);
    await this.opts.table.markStopped(this.opts.config.bootdId)
      .catch((err: Error) => this.opts.log.warn('DHCP heartbeat row not marked stopped', { error: err.message }));
  }
}
