// A row as the audit log keeps it ("AuditLog".before/after): JSON-safe (BigInt → string, Date →
// ISO) with secrets replaced by a mark. One rule for the console (server/audit/audit.ts) and
// bootd (boot-services/store/discovery.ts), so neither process ever logs a secret.

/** Columns that hold a secret or its hash: the audit log says whether one was set, never its value. */
const secretColumns = new Set(['passwordHash', 'tokenHash', 'credentialHash', 'bmcPasswordEnc']);

export type AuditJson = string | number | boolean | null | AuditJson[] | { [key: string]: AuditJson };

/** JSON-safe copy of a row for the audit log; undefined for no row. */
export function auditable(row: unknown): AuditJson | undefined {
  if (row === null || row === undefined) return undefined;
  return JSON.parse(
    JSON.stringify(row, (key, value) => {
      if (secretColumns.has(key)) return value ? '[redacted]' : value;
      return typeof value === 'bigint' ? value.toString() : value;
    }),
  ) as AuditJson;
}
