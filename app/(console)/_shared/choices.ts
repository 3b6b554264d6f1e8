// Roles, networks and images as select choices for the console's forms and filters
// (through the domain's list functions; a fleet has tens of these, not thousands).
import type { Choice } from '@/components/form-field.tsx';
import { maxPageSize } from '@/server/listing/pagination.ts';
import { listImages } from '@/server/images/queries.ts';
import { listNetworks } from '@/server/networks/queries.ts';
import { listRoles } from '@/server/roles/queries.ts';

export async function roleChoices(): Promise<Choice[]> {
  const page = await listRoles({ limit: maxPageSize, order: 'asc', sort: 'name' });
  return page.items.map((r) => ({ value: r.id, label: r.name }));
}

export async function networkChoices(): Promise<Choice[]> {
  const page = await listNetworks({ limit: maxPageSize, order: 'asc', sort: 'name' });
  return page.items.map((n) => ({ value: n.id, label: `${n.name} (${n.cidr})` }));
}

/** Images a host can be told to boot once: everything not failed or still uploading. */
export async function bootableImageChoices(): Promise<Choice[]> {
  const page = await listImages({ limit: maxPageSize, order: 'desc', sort: 'createdAt' });
  return page.items
    .filter((i) => i.status !== 'failed' && i.status !== 'uploading')
    .map((i) => ({ value: i.id, label: `${i.role.name} ${i.version} (${i.status})` }));
}
