// The rows of bootd's view (lib/boot/boot-view.ts) as PostgreSQL holds them: one mapping per
// table, each naming a reader for every field of its view type (the compiler refuses a mapping
// that misses a field), the SELECT list made from the same mapping, and every value checked
// as it is read, so a column renamed or retyped by a migration fails loudly naming the column
// instead of reaching DHCP as undefined. The Host change trigger compares the columns of
// hostMapping but id and state (integration/view-rows.test.ts fails when they drift).
import type { ArtifactView, BootOverride, BootLoader, HostView, ImageView, NetworkView, RoleView, RootMode, UefiBootChain } from '../../lib/boot/boot-view.ts';

export type Row = Record<string, unknown>;

class RowShapeError extends Error {
  constructor(column: string, expected: string, value: unknown) {
    super(`column "${column}": expected ${expected}, got ${value === null ? 'null' : typeof value}`);
  }
}

/** Reads one column of a row as the view's type, or throws naming the column. */
type Reader<T> = (row: Row, column: string) => T;

const text: Reader<string> = (row, column) => {
  const v = row[column];
  if (typeof v !== 'string') throw new RowShapeError(column, 'text', v);
  return v;
};
const textOrNull: Reader<string | null> = (row, column) => (row[column] === null ? null : text(row, column));
const texts: Reader<string[]> = (row, column) => {
  const v = row[column];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new RowShapeError(column, 'text[]', v);
  return v;
};
const integer: Reader<number> = (row, column) => {
  const v = row[column];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new RowShapeError(column, 'an integer', v);
  return v;
};
const flag: Reader<boolean> = (row, column) => {
  const v = row[column];
  if (typeof v !== 'boolean') throw new RowShapeError(column, 'a boolean', v);
  return v;
};
function oneOf<T extends string>(words: readonly T[]): Reader<T> {
  return (row, column) => {
    const v = row[column];
    if (typeof v !== 'string' || !(words as readonly string[]).includes(v)) throw new RowShapeError(column, words.join(' | '), v);
    return v as T;
  };
}
function orNull<T>(read: Reader<T>): Reader<T | null> {
  return (row, column) => (row[column] === null ? null : read(row, column));
}
/** An artifact joined under a prefix (k_sha, k_size, k_path): null when the image has none. */
function artifact(prefix: string): Reader<ArtifactView | null> {
  return (row) => {
    if (row[`${prefix}_sha`] === null) return null;
    const size = row[`${prefix}_size`];
    // bigint arrives as text from node-postgres.
    if (typeof size !== 'string' || !/^\d+$/.test(size)) throw new RowShapeError(`${prefix}_size`, 'a byte count', size);
    return { sha256: text(row, `${prefix}_sha`), sizeBytes: Number(size), path: text(row, `${prefix}_path`) };
  };
}

/** A reader for every field of T (optional ones too: the view always carries them). */
export type RowMapping<T> = { [K in keyof Required<T>]: Reader<T[K]> };

export function mapRow<T>(mapping: RowMapping<T>, row: Row): T {
  const out: Partial<Record<keyof T, unknown>> = {};
  for (const key of Object.keys(mapping) as Array<keyof T & string>) out[key] = mapping[key](row, key);
  return out as T;
}

/** The SELECT list of a mapping whose fields are columns of the same name. */
function columnsOf<T>(mapping: RowMapping<T>, except: string[] = []): string {
  return Object.keys(mapping).filter((k) => !except.includes(k)).map((k) => `"${k}"`).join(', ');
}

const rootModes = ['ram', 'nfs', 'disk'] as const satisfies readonly RootMode[];
const bootLoaders = ['pxelinux', 'ipxe'] as const satisfies readonly BootLoader[];
const uefiBootChains = ['ipxe', 'secure_boot'] as const satisfies readonly UefiBootChain[];
const bootOverrides = ['rescue', 'memtest', 'localdisk', 'image'] as const satisfies readonly BootOverride[];

export const networkMapping: RowMapping<NetworkView> = {
  id: text, name: text, cidr: text, gateway: textOrNull, dnsServers: texts, domain: textOrNull, bootServer: textOrNull,
  poolStart: textOrNull, poolEnd: textOrNull, leaseSeconds: integer, relayAddresses: texts, discoveryEnabled: flag,
  ipv6Prefix: textOrNull, ipv6PoolStart: textOrNull, ipv6PoolEnd: textOrNull, ipv6BootServer: textOrNull, servedBy: texts,
};
export const roleMapping: RowMapping<RoleView> = {
  id: text, name: text, rootMode: oneOf(rootModes), bootLoader: oneOf(bootLoaders), uefiBootChain: oneOf(uefiBootChains),
  cmdlineTemplate: text, nfsExport: textOrNull, diskRoot: textOrNull, healthCheck: textOrNull,
  activeImageId: textOrNull, previousImageId: textOrNull, stallSeconds: integer,
};
export const imageMapping: RowMapping<ImageView> = {
  id: text, roleId: text, version: text, status: text, kernel: artifact('k'), initrd: artifact('d'), rootfs: artifact('r'),
};
export const hostMapping: RowMapping<HostView> = {
  id: text, hostname: text, mac: textOrNull, ip: textOrNull, ipv6: textOrNull, networkId: textOrNull, roleId: textOrNull,
  spare: flag, bootEnabled: flag, imageOverrideId: textOrNull, bootOverride: orNull(oneOf(bootOverrides)), state: text,
};

/** The boot servers serving a network, by name (NetworkView.servedBy). */
export const networkSql = `SELECT ${columnsOf(networkMapping, ['servedBy'])},
  ARRAY(SELECT b.name FROM "BootServer" b WHERE b.id IN ("Network"."bootServerId", "Network"."peerBootServerId") ORDER BY b.name) AS "servedBy"
  FROM "Network"`;
export const roleSql = `SELECT ${columnsOf(roleMapping)} FROM "Role"`;
export const imageSql = `SELECT i.id, i."roleId", i.version, i.status,
  k.sha256 AS k_sha, k."sizeBytes" AS k_size, k.path AS k_path,
  d.sha256 AS d_sha, d."sizeBytes" AS d_size, d.path AS d_path,
  r.sha256 AS r_sha, r."sizeBytes" AS r_size, r.path AS r_path
  FROM "Image" i
  LEFT JOIN "Artifact" k ON k.sha256 = i."kernelSha256"
  LEFT JOIN "Artifact" d ON d.sha256 = i."initrdSha256"
  LEFT JOIN "Artifact" r ON r.sha256 = i."rootfsSha256"`;
export const hostSql = `SELECT ${columnsOf(hostMapping)} FROM "Host"`;
/** A named bootd's hosts: those on its networks, and those on none. */
export const servedHostsSql = `${hostSql} WHERE "networkId" IS NULL OR "networkId" IN (SELECT n.id FROM "Network" n JOIN "BootServer" b
  ON b.id IN (n."bootServerId", n."peerBootServerId") WHERE b.name = $1)`;

/**
 * Host columns whose change bootd's view must see, i.e. the ones the "Host" change trigger
 * compares (migration 20261207150200_ipv6_networks): every mapped column but id (never
 * changes) and state (bootd writes it itself, many times a boot: in the change log it would
 * flood every bootd's view with its own writes).
 */
export const hostColumnsFollowed = Object.keys(hostMapping).filter((k) => k !== 'id' && k !== 'state');
