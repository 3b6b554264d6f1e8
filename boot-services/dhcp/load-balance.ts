// RFC 3074 load balancing between the bootd of one boot network (DESIGN.md "Growing past one
// machine"): a client that takes a pool address is hashed by its MAC into one of 256 buckets,
// and the buckets are split in contiguous ranges between the bootd ids in sorted order (two
// bootd: buckets 0-127 and 128-255, ISC dhcpd's "split 128"). Pure: who is alive and whether
// the survivor has taken over comes from peer-heartbeat.ts.

/** RFC 3074 §6: the "mixing table", 256 distinct values in pseudo-random order. */
const mixingTable = Uint8Array.from([
  251, 175, 119, 215, 81, 14, 79, 191, 103, 49, 181, 143, 186, 157, 0, 232, 31, 32, 55, 60, 152, 58, 17, 237, 174, 70, 160, 144, 220, 90, 57,
  223, 59, 3, 18, 140, 111, 166, 203, 196, 134, 243, 124, 95, 222, 179, 197, 65, 180, 48, 36, 15, 107, 46, 233, 130, 165, 30, 123, 161, 209, 23,
  97, 16, 40, 91, 219, 61, 100, 10, 210, 109, 250, 127, 22, 138, 29, 108, 244, 67, 207, 9, 178, 204, 74, 98, 126, 249, 167, 116, 34, 77, 193,
  200, 121, 5, 20, 113, 71, 35, 128, 13, 182, 94, 25, 226, 227, 199, 75, 27, 41, 245, 230, 224, 43, 225, 177, 26, 155, 150, 212, 142, 218, 115,
  241, 73, 88, 105, 39, 114, 62, 255, 192, 201, 145, 214, 168, 158, 221, 148, 154, 122, 12, 84, 82, 163, 44, 139, 228, 236, 205, 242, 217, 11,
  187, 146, 159, 64, 86, 239, 195, 42, 106, 198, 118, 112, 184, 172, 87, 2, 173, 117, 176, 229, 247, 253, 137, 185, 99, 164, 102, 147, 45, 66,
  231, 52, 141, 211, 194, 206, 246, 238, 56, 110, 78, 248, 63, 240, 189, 93, 92, 51, 53, 183, 19, 171, 72, 50, 33, 104, 101, 69, 8, 252, 83, 120,
  76, 135, 85, 54, 202, 125, 188, 213, 96, 235, 136, 208, 162, 129, 190, 132, 156, 38, 47, 1, 7, 254, 24, 4, 216, 131, 89, 21, 28, 133, 37, 153,
  149, 80, 170, 68, 6, 169, 234, 151,
]);

export const bucketCount = 256;

/**
 * RFC 3074 §6 loadb_p_hash: a Pearson hash of the key, last byte first, seeded with its length.
 * The key is the client's hardware address (DESIGN.md: leases by MAC, not by client-id).
 */
export function loadBalanceBucket(key: Uint8Array): number {
  let hash = key.length & 0xff;
  for (let i = key.length; i > 0;) hash = mixingTable[hash ^ key[--i]!]!;
  return hash;
}

/** Index (in sorted server order) of the server owning bucket when serverCount servers share the buckets. */
export function bucketOwnerIndex(bucket: number, serverCount: number): number {
  return Math.floor((bucket * serverCount) / bucketCount);
}

/** The buckets of a server, as an inclusive range: for the operator's log line. */
export function bucketRange(index: number, serverCount: number): { first: number; last: number } {
  const first = Math.ceil((index * bucketCount) / serverCount);
  const last = Math.ceil(((index + 1) * bucketCount) / serverCount) - 1;
  return { first, last };
}

/** What policy.ts asks before it offers a pool address (DISCOVER) or answers an INIT-REBOOT. */
export interface PoolClientScope {
  /**
   * Whether this bootd answers the pool client with this hardware address. secs is the
   * client's "seconds since it began" (RFC 2131 §2): a client of a vanished peer's half that
   * has waited long enough is what starts the takeover (RFC 3074 §4 "delayed service").
   */
  decide(hardwareAddress: Uint8Array, secs: number): ScopeDecision;
}

export type ScopeDecision =
  | { serve: true; takeover: boolean }
  /** "peer-half": the peer answers it; "peer-half-waiting": the peer looks gone, the client hasn't waited long enough yet. */
  | { serve: false; reason: 'peer-half' | 'peer-half-waiting'; owner: string };

/** One bootd alone on its network: every bucket is ours. */
export const wholePoolScope: PoolClientScope = { decide: () => ({ serve: true, takeover: false }) };
