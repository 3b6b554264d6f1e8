// Pool leases for machines without a reserved address (DESIGN.md "Leases by MAC, not by
// client-id"). LeaseBook is the in-memory picture the reply path reads without waiting;
// a LeaseStore makes bindings durable before the ACK (pg-lease-store.ts for Postgres,
// MemoryLeaseStore for tests and for running without a database).
import { isUsableHostAddress, parseCidr, parseIPv4 } from '../../lib/ipv4.ts';
import type { NetworkView } from '../../lib/boot/boot-view.ts';
import type { LeaseRecord } from '../store/dhcp-leases.ts';
import { ipFromNumber, parseIp } from './codec.ts';

export interface OfferRequest {
  network: NetworkView;
  mac: string;
  /** Option 50, preferred when free (RFC 2131 §4.3.1). */
  requestedIp: string | null;
  /** How long the offered address is held for this MAC. */
  holdSeconds: number;
  nowMs: number;
  /** False for addresses the pool must skip (reservations, the server, the router). */
  isAssignable(ip: string): boolean;
}

export type OfferResult =
  /** reclaimedFrom: the MAC whose stale offer was taken over (LeaseBook.oldestStaleOffer). */
  | { kind: 'offered'; ip: string; reclaimedFrom?: string }
  | { kind: 'exhausted' }
  | { kind: 'no-pool' }
  /** The leases could not be read yet (bootd started while the database is away): no pool client is offered. */
  | { kind: 'unavailable' };

/**
 * A full pool takes back an address offered this long ago and never requested, before refusing
 * anyone (the oldest such offer first). A client REQUESTs within a second or two of its OFFER;
 * ten seconds leaves slow PXE ROMs their time while a burst of strangers (a rack powered on at
 * once, a flood of made-up MACs) no longer shuts new clients out for the whole offer hold: they
 * get an address at their next DISCOVER (RFC 2131 §4.1 retransmits after 4, 8, 16 s). Much
 * shorter, and two clients racing for one address would take it from each other in turn.
 */
export const offerReclaimAfterMs = 10_000;

export interface BindRequest {
  network: NetworkView;
  mac: string;
  ip: string;
  leaseSeconds: number;
  clientId: string | null;
  hostname: string | null;
  nowMs: number;
  /**
   * The client started over (a SELECTING or INIT-REBOOT REQUEST): the binding it already holds
   * may answer it (reusableBinding). A RENEWING client asks for more time and is always written.
   */
  mayReuse?: boolean;
}

export type BindResult =
  | { kind: 'bound'; ip: string; expiresAtMs: number }
  /** Another MAC holds the address (here or, found at commit, in another bootd). */
  | { kind: 'taken' }
  /** The database could not be reached: no ACK without a durable lease. */
  | { kind: 'unavailable' };

export interface LeaseStore {
  /** Chooses and holds an address for an OFFER. In memory: an OFFER hands nothing out (RFC 2131 §4.3.1). */
  offer(req: OfferRequest): OfferResult;
  /**
   * Makes the lease durable; resolves only after commit (RFC 2131 §4.3.2: no ACK before the
   * server has recorded it), or at once with the client's own durable binding when it may be
   * reused (reusableBinding): then expiresAtMs is that binding's, and the ACK gives the time left.
   */
  bind(req: BindRequest): Promise<BindResult>;
  findLeaseByMac(networkId: string, mac: string): LeaseRecord | null;
  findLeaseByIp(networkId: string, ip: string): LeaseRecord | null;
  /** RFC 2131 §4.3.4: the address is free again. Persisted in the background. */
  release(networkId: string, mac: string, ip: string, nowMs: number): void;
  /** RFC 2131 §4.3.3: the client found the address in use; keep it out of the pool for a while. */
  decline(networkId: string, mac: string, ip: string, nowMs: number): void;
  close(): Promise<void>;
}

const poolRangeCache = new WeakMap<NetworkView, { first: number; last: number } | null>();

/** Pool range of a network as numbers, or null when the network has no usable pool. Computed once per (immutable) network record. */
export function poolRange(network: NetworkView): { first: number; last: number } | null {
  let range = poolRangeCache.get(network);
  if (range === undefined) {
    range = computePoolRange(network);
    poolRangeCache.set(network, range);
  }
  return range;
}

function computePoolRange(network: NetworkView): { first: number; last: number } | null {
  if (!network.poolStart || !network.poolEnd) return null;
  const first = parseIPv4(network.poolStart);
  const last = parseIPv4(network.poolEnd);
  const cidr = parseCidr(network.cidr);
  if (first === null || last === null || cidr === null || first > last) return null;
  if (!isUsableHostAddress(cidr, first) || !isUsableHostAddress(cidr, last)) return null;
  return { first, last };
}

export function isInPool(network: NetworkView, ip: string): boolean {
  const range = poolRange(network);
  // codec's one-pass parser: this runs for every REQUEST and every address an OFFER considers.
  const n = parseIp(ip);
  return range !== null && n !== null && n >= range.first && n <= range.last;
}

interface NetworkBook {
  byMac: Map<string, LeaseRecord>;
  byIp: Map<string, LeaseRecord>;
  /** Next pool offset to try: new clients spread over the pool instead of rescanning from its start. */
  cursor: number;
  /** When a full scan last found nothing; a storm of DISCOVERs doesn't rescan the pool for each. */
  exhaustedAtMs: number | null;
  /** Live offer holds, oldest offer first (entries no longer in byIp are dropped lazily). */
  offers: Map<string, LeaseRecord>;
}

/** How long an exhausted pool stays known as exhausted unless an address comes back. */
const exhaustedRecheckMs = 1000;

/** The in-memory lease table, one book per network. */
export class LeaseBook {
  private readonly books = new Map<string, NetworkBook>();

  private book(networkId: string): NetworkBook {
    let b = this.books.get(networkId);
    if (!b) {
      b = { byMac: new Map(), byIp: new Map(), cursor: 0, exhaustedAtMs: null, offers: new Map() };
      this.books.set(networkId, b);
    }
    return b;
  }

  findByMac(networkId: string, mac: string): LeaseRecord | null {
    return this.books.get(networkId)?.byMac.get(mac) ?? null;
  }

  findByIp(networkId: string, ip: string): LeaseRecord | null {
    return this.books.get(networkId)?.byIp.get(ip) ?? null;
  }

  /**
   * Replaces what we know about one network with what the database says. Records for which
   * keep() is true (an OFFER's hold, which lives in memory only; a binding still being
   * committed) are put back on top, unless the database shows another MAC bound to that
   * address (another bootd was first: its lease wins over our hold).
   */
  replaceNetwork(networkId: string, records: LeaseRecord[], keep: (r: LeaseRecord) => boolean = () => false): void {
    const b = this.book(networkId);
    // Oldest first, so the offers keep their order (oldestStaleOffer).
    const kept = [...b.byIp.values()].filter(keep).sort((x, y) => x.expiresAtMs - y.expiresAtMs);
    b.byMac.clear();
    b.byIp.clear();
    b.offers.clear();
    b.exhaustedAtMs = null;
    for (const r of records) this.put(r);
    for (const r of kept) {
      const there = b.byIp.get(r.ip);
      if (r.state === 'offered' && there && there.mac !== r.mac && there.state === 'bound') continue;
      this.put(r);
    }
  }

  /** replaceNetwork for every network: those with no rows left are emptied too. */
  replaceAll(byNetwork: Map<string, LeaseRecord[]>, keep: (r: LeaseRecord) => boolean = () => false): void {
    for (const id of new Set([...this.books.keys(), ...byNetwork.keys()])) this.replaceNetwork(id, byNetwork.get(id) ?? [], keep);
  }

  put(r: LeaseRecord): void {
    const b = this.book(r.networkId);
    const previousForMac = b.byMac.get(r.mac);
    if (previousForMac && previousForMac.ip !== r.ip && b.byIp.get(previousForMac.ip) === previousForMac) b.byIp.delete(previousForMac.ip);
    const previousForIp = b.byIp.get(r.ip);
    if (previousForIp && previousForIp.mac !== r.mac && b.byMac.get(previousForIp.mac) === previousForIp) b.byMac.delete(previousForIp.mac);
    b.byIp.set(r.ip, r);
    // Re-inserted, so the Map's order stays the order the offers were made in.
    b.offers.delete(r.ip);
    if (r.state === 'offered') b.offers.set(r.ip, r);
    if (r.state === 'released') b.exhaustedAtMs = null;
    // A quarantined address keeps the decliner's MAC for the record but no longer belongs to it.
    if (r.state === 'declined') {
      if (b.byMac.get(r.mac)?.ip === r.ip) b.byMac.delete(r.mac);
    } else {
      b.byMac.set(r.mac, r);
    }
  }

  /** Forgets mac's record of ip (a binding that could not be committed). */
  remove(networkId: string, ip: string, mac: string): void {
    const b = this.books.get(networkId);
    const r = b?.byIp.get(ip);
    if (!b || !r || r.mac !== mac) return;
    b.byIp.delete(ip);
    b.offers.delete(ip);
    if (b.byMac.get(mac) === r) b.byMac.delete(mac);
  }

  /** True when nobody holds ip at nowMs (never leased, expired, released, or past its quarantine). */
  isFree(networkId: string, ip: string, nowMs: number, forMac: string): boolean {
    const r = this.books.get(networkId)?.byIp.get(ip);
    if (!r) return true;
    if (r.mac === forMac && r.state !== 'declined') return true;
    return r.expiresAtMs <= nowMs || r.state === 'released';
  }

  private usable(req: OfferRequest, ip: string): boolean {
    return isInPool(req.network, ip) && req.isAssignable(ip) && this.isFree(req.network.id, ip, req.nowMs, req.mac);
  }

  /**
   * RFC 2131 §4.3.1 order: the client's current or previous address, then the one it asks
   * for, then any free one. Bounded by the pool size: an exhausted pool costs one scan.
   */
  chooseAddress(req: OfferRequest): OfferResult {
    const range = poolRange(req.network);
    if (!range) return { kind: 'no-pool' };
    const id = req.network.id;
    const mine = this.findByMac(id, req.mac);
    if (mine && this.usable(req, mine.ip)) return { kind: 'offered', ip: mine.ip };
    if (req.requestedIp && this.usable(req, req.requestedIp)) return { kind: 'offered', ip: req.requestedIp };
    const b = this.book(id);
    if (b.exhaustedAtMs !== null && req.nowMs - b.exhaustedAtMs < exhaustedRecheckMs && req.nowMs >= b.exhaustedAtMs) return this.reclaimOrRefuse(req, b);
    const size = range.last - range.first + 1;
    for (let i = 0; i < size; i++) {
      const offset = (b.cursor + i) % size;
      const ip = ipFromNumber(range.first + offset);
      if (req.isAssignable(ip) && this.isFree(id, ip, req.nowMs, req.mac)) {
        b.cursor = (offset + 1) % size;
        b.exhaustedAtMs = null;
        return { kind: 'offered', ip };
      }
    }
    b.exhaustedAtMs = req.nowMs;
    return this.reclaimOrRefuse(req, b);
  }

  private reclaimOrRefuse(req: OfferRequest, b: NetworkBook): OfferResult {
    const stale = this.oldestStaleOffer(req, b);
    return stale ? { kind: 'offered', ip: stale.ip, reclaimedFrom: stale.mac } : { kind: 'exhausted' };
  }

  /**
   * The oldest offer hold older than offerReclaimAfterMs whose address may still be handed out,
   * or null. Offers are kept in the order made, so this looks at the first live ones only.
   */
  private oldestStaleOffer(req: OfferRequest, b: NetworkBook): LeaseRecord | null {
    const offeredBeforeMs = req.nowMs - offerReclaimAfterMs;
    for (const [ip, r] of b.offers) {
      if (b.byIp.get(ip) !== r || r.state !== 'offered') {
        b.offers.delete(ip);
        continue;
      }
      // Every hold lasts holdSeconds: its start is its expiry less that. The rest are younger.
      if (r.expiresAtMs - req.holdSeconds * 1000 > offeredBeforeMs) return null;
      if (r.mac !== req.mac && isInPool(req.network, ip) && req.isAssignable(ip)) return r;
    }
    return null;
  }
}

/**
 * Lease reuse, as Kea's lease caching (cache-threshold) and ISC dhcpd's dhcp-cache-threshold
 * (25 % by default) do it: a client starting over (DISCOVER, then a SELECTING or INIT-REBOOT
 * REQUEST) for the very lease it already holds durably, committed no longer ago than this
 * fraction of the lease length and otherwise unchanged (same client id and hostname, no longer
 * than the lease it would get now), is answered from that commit without writing again; the
 * ACK gives the time left on it, so the client never holds the address longer than the stored
 * row says. A client repeating its DORA (a PXE ROM then iPXE, a retrying or looping client)
 * costs one write, not one per exchange. A RENEWING client is always written: it asks for
 * more time, and the time left would only bring its next renewal closer.
 */
export const defaultLeaseReuseFraction = 0.25;

/** FLEETBOOT_DHCP_LEASE_REUSE_FRACTION (0 turns reuse off, at most 0.5), checked. */
export function leaseReuseFraction(env: Record<string, string | undefined> = process.env): number {
  const raw = env.FLEETBOOT_DHCP_LEASE_REUSE_FRACTION;
  if (raw === undefined || raw === '') return defaultLeaseReuseFraction;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 0.5) throw new Error(`FLEETBOOT_DHCP_LEASE_REUSE_FRACTION must be a number from 0 to 0.5, got "${raw}"`);
  return n;
}

/**
 * The durable binding `current` (the client's, as committed) answers `req` without a write
 * (see defaultLeaseReuseFraction). The caller vouches that `current` is committed, not being written.
 */
export function reusableBinding(current: LeaseRecord | null, req: BindRequest, fraction: number): boolean {
  if (!req.mayReuse || fraction <= 0 || !current || current.state !== 'bound' || current.ip !== req.ip || current.mac !== req.mac) return false;
  if (current.clientId !== req.clientId || current.hostname !== req.hostname) return false;
  const leftMs = current.expiresAtMs - req.nowMs;
  const leaseMs = req.leaseSeconds * 1000;
  return leftMs <= leaseMs && leftMs >= leaseMs * (1 - fraction);
}

/** Default quarantine of a declined address (Kea's decline-probation-period is a day too). */
export const declineProbationSeconds = 86_400;

/** Leases kept in memory only: unit tests, and the fallback when no database is configured. */
export class MemoryLeaseStore implements LeaseStore {
  readonly book = new LeaseBook();

  constructor(private readonly opts: { reuseFraction?: number } = {}) {}

  offer(req: OfferRequest): OfferResult {
    const r = this.book.chooseAddress(req);
    if (r.kind === 'offered') this.hold(req, r.ip);
    return r;
  }

  protected hold(req: OfferRequest, ip: string): void {
    const current = this.book.findByMac(req.network.id, req.mac);
    // A bound lease on the same address stays bound; an offer never shortens it.
    if (current && current.ip === ip && current.state === 'bound' && current.expiresAtMs > req.nowMs) return;
    this.book.put({ networkId: req.network.id, ip, mac: req.mac, state: 'offered', expiresAtMs: req.nowMs + req.holdSeconds * 1000, clientId: null, hostname: null });
  }

  async bind(req: BindRequest): Promise<BindResult> {
    const current = this.book.findByMac(req.network.id, req.mac);
    if (reusableBinding(current, req, this.opts.reuseFraction ?? defaultLeaseReuseFraction)) return { kind: 'bound', ip: req.ip, expiresAtMs: current!.expiresAtMs };
    if (!this.book.isFree(req.network.id, req.ip, req.nowMs, req.mac)) return { kind: 'taken' };
    const expiresAtMs = req.nowMs + req.leaseSeconds * 1000;
    this.book.put({ networkId: req.network.id, ip: req.ip, mac: req.mac, state: 'bound', expiresAtMs, clientId: req.clientId, hostname: req.hostname });
    return { kind: 'bound', ip: req.ip, expiresAtMs };
  }

  findLeaseByMac(networkId: string, mac: string): LeaseRecord | null { return this.book.findByMac(networkId, mac); }
  findLeaseByIp(networkId: string, ip: string): LeaseRecord | null { return this.book.findByIp(networkId, ip); }

  release(networkId: string, mac: string, ip: string, nowMs: number): void {
    const r = this.book.findByMac(networkId, mac);
    if (r && r.ip === ip) this.book.put({ ...r, state: 'released', expiresAtMs: nowMs });
  }

  decline(networkId: string, mac: string, ip: string, nowMs: number): void {
    this.book.put({ networkId, ip, mac, state: 'declined', expiresAtMs: nowMs + declineProbationSeconds * 1000, clientId: null, hostname: null });
  }

  async close(): Promise<void> {}
}
