// Bulk host import from CSV or JSON: all or nothing. Every row is validated (fields, names of
// networks and roles, address rules, duplicates inside the file and against the database);
// any bad row rejects the whole import with a report naming each row, field and reason.
import type { Network, Prisma } from '@prisma/client';
import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { firstIssue, issueField } from '../../lib/zod-issues.ts';
import { DomainError } from '../errors.ts';
import { parseCsv } from './csv.ts';
import { hostCreate } from './schema.ts';
import { resolveHostData } from './queries.ts';

export const maxImportRows = 20_000;

export interface ImportProblem {
  row: number;
  field: string;
  error: string;
}

const importRow = z.object({
  hostname: z.string(),
  mac: z.string().optional(),
  ip: z.string().optional(),
  network: z.string().optional(),
  role: z.string().optional(),
  networkId: z.string().optional(),
  roleId: z.string().optional(),
  serial: z.string().optional(),
  assetTag: z.string().optional(),
  bmcAddress: z.string().optional(),
  bmcUser: z.string().optional(),
  spare: z.union([z.boolean(), z.string()]).optional(),
  bootEnabled: z.union([z.boolean(), z.string()]).optional(),
  notes: z.string().optional(),
}).loose();

/** The columns an import may have: anything else is a typo that would silently lose data. */
const importColumns = new Set(Object.keys(importRow.shape));
const unknownColumns = (names: string[]) => names.filter((n) => !importColumns.has(n));

/** A yes/no cell: undefined when blank, null when it is neither (reported on its row, not ignored). */
function truthy(v: unknown): boolean | undefined | null {
  if (v === undefined || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (s === '') return undefined;
  if (['true', 'yes', '1', 'y'].includes(s)) return true;
  if (['false', 'no', '0', 'n'].includes(s)) return false;
  return null;
}

/** Rows from the request body: CSV text or a JSON array (or { hosts: [...] }). */
export function readImportRows(body: string, contentType: string): Array<{ row: number; values: Record<string, unknown> }> {
  if (contentType.includes('csv')) {
    const parsed = parseCsv(body);
    if (!parsed.ok) throw new DomainError('invalid', `CSV line ${parsed.line}: ${parsed.error}`, 'body');
    const unknown = unknownColumns(parsed.columns);
    if (unknown.length > 0) throw new DomainError('invalid', `unknown column ${unknown.join(', ')}; known: ${[...importColumns].join(', ')}`, unknown[0]);
    return parsed.records.map((r) => ({ row: r.line, values: r.values }));
  }
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new DomainError('invalid', 'the body is not valid JSON', 'body');
  }
  const list = Array.isArray(data) ? data : (data as { hosts?: unknown })?.hosts;
  if (!Array.isArray(list)) throw new DomainError('invalid', 'send a JSON array of hosts (or { "hosts": [...] })', 'body');
  return list.map((values, i) => ({ row: i + 1, values: (values ?? {}) as Record<string, unknown> }));
}

export async function importHosts(actor: Actor, rows: Array<{ row: number; values: Record<string, unknown> }>): Promise<{ created: number }> {
  if (rows.length === 0) throw new DomainError('invalid', 'no hosts to import', 'body');
  if (rows.length > maxImportRows) throw new DomainError('invalid', `at most ${maxImportRows} hosts per import`, 'body');
  const problems: ImportProblem[] = [];
  const [networks, roles] = await Promise.all([db().network.findMany(), db().role.findMany({ select: { id: true, name: true } })]);
  const networkByName = new Map(networks.map((n) => [n.name, n]));
  const roleByName = new Map(roles.map((r) => [r.name, r.id]));
  const valid: Array<{ row: number; input: z.infer<typeof hostCreate> }> = [];

  for (const { row, values } of rows) {
    const shape = importRow.safeParse(values);
    if (!shape.success) {
      const { field, message } = firstIssue(shape.error, 'row');
      problems.push({ row, field, error: message });
      continue;
    }
    const unknown = unknownColumns(Object.keys(values));
    if (unknown.length > 0) {
      for (const field of unknown) problems.push({ row, field, error: `unknown field; known: ${[...importColumns].join(', ')}` });
      continue;
    }
    const v = shape.data;
    const blank = (s: string | undefined) => (s === undefined || s.trim() === '' ? undefined : s.trim());
    let networkId = blank(v.networkId);
    if (blank(v.network)) {
      const n = networkByName.get(v.network!.trim());
      if (!n) problems.push({ row, field: 'network', error: `no network named ${v.network}` });
      else networkId = n.id;
    }
    let roleId = blank(v.roleId);
    if (blank(v.role)) {
      roleId = roleByName.get(v.role!.trim());
      if (!roleId) problems.push({ row, field: 'role', error: `no role named ${v.role}` });
    }
    const flags = { spare: truthy(v.spare), bootEnabled: truthy(v.bootEnabled) };
    for (const [field, value] of Object.entries(flags)) {
      if (value === null) problems.push({ row, field, error: 'must be yes or no (true/false, 1/0, y/n)' });
    }
    const candidate = {
      hostname: v.hostname,
      mac: blank(v.mac),
      ip: blank(v.ip),
      networkId,
      roleId,
      serial: blank(v.serial),
      assetTag: blank(v.assetTag),
      bmcAddress: blank(v.bmcAddress),
      bmcUser: blank(v.bmcUser),
      spare: flags.spare ?? undefined,
      bootEnabled: flags.bootEnabled ?? undefined,
      notes: blank(v.notes),
    };
    const parsed = hostCreate.safeParse(Object.fromEntries(Object.entries(candidate).filter(([, x]) => x !== undefined)));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ row, field: issueField(issue, 'row'), error: issue.message });
      continue;
    }
    valid.push({ row, input: parsed.data });
  }

  // Duplicates inside the file.
  const seen = { hostname: new Map<string, number>(), mac: new Map<string, number>(), ip: new Map<string, number>() };
  for (const { row, input } of valid) {
    for (const field of ['hostname', 'mac'] as const) {
      const value = input[field];
      if (!value) continue;
      const first = seen[field].get(value);
      if (first !== undefined) problems.push({ row, field, error: `${value} is also on row ${first}` });
      else seen[field].set(value, row);
    }
  }
  // Duplicates against the database.
  const existing = await db().host.findMany({
    where: { OR: [{ hostname: { in: [...seen.hostname.keys()] } }, { mac: { in: [...seen.mac.keys()] } }, { ip: { in: valid.map((v) => v.input.ip).filter((x): x is string => !!x) } }] },
    select: { hostname: true, mac: true, ip: true, networkId: true },
  });
  const taken = {
    hostname: new Set(existing.map((h) => h.hostname)),
    mac: new Set(existing.map((h) => h.mac).filter(Boolean)),
    ip: new Set(existing.filter((h) => h.ip).map((h) => `${h.networkId ?? ''}/${h.ip}`)),
  };

  const data: Prisma.HostCreateManyInput[] = [];
  const known = { networks: networks as Network[], roleIds: new Set(roles.map((r) => r.id)) };
  await db().$transaction(async (tx) => {
    for (const { row, input } of valid) {
      if (taken.hostname.has(input.hostname)) problems.push({ row, field: 'hostname', error: `a host named ${input.hostname} already exists` });
      if (input.mac && taken.mac.has(input.mac)) problems.push({ row, field: 'mac', error: `another host already has MAC ${input.mac}` });
      try {
        const resolved = (await resolveHostData(tx, input, null, known)) as Prisma.HostCreateManyInput;
        if (resolved.ip) {
          // Compared once the network is known: a row naming the network and a row leaving it
          // to be found by address can hold the same address.
          const key = `${resolved.networkId ?? ''}/${resolved.ip}`;
          const first = seen.ip.get(key);
          if (taken.ip.has(key)) problems.push({ row, field: 'ip', error: `another host already has ${resolved.ip}` });
          else if (first !== undefined) problems.push({ row, field: 'ip', error: `${resolved.ip} is also on row ${first}` });
          else seen.ip.set(key, row);
        }
        data.push(resolved);
      } catch (err) {
        if (err instanceof DomainError) problems.push({ row, field: err.field ?? 'row', error: err.message });
        else throw err;
      }
    }
    if (problems.length > 0) return;
    await tx.host.createMany({ data });
    await writeAudit(tx, actor, 'import', 'host', null, null, { count: data.length, hostnames: data.map((d) => d.hostname) });
  }, { timeout: 120_000 });

  if (problems.length > 0) {
    problems.sort((a, b) => a.row - b.row);
    throw new DomainError('invalid', `${problems.length} problem(s) in the import; nothing was imported`, problems[0]!.field, { problems });
  }
  return { created: data.length };
}
