// The hosts list's search and filters: a plain GET form, so filtering works without JavaScript
// and every filtered view has a URL.
import Link from 'next/link';
import type { Choice } from './form-field.tsx';
import { CheckboxField, SelectField, TextField } from './form-field.tsx';

interface Props {
  values: Record<string, string>;
  roles: Choice[];
  networks: Choice[];
  states: readonly string[];
}

export function HostFilters({ values, roles, networks, states }: Props) {
  return (
    <form method="get" action="/hosts" role="search" className="grid grid-cols-1 gap-3 border-b border-slate-200 p-4 sm:grid-cols-2 lg:grid-cols-[minmax(14rem,2fr)_1fr_1fr_1fr_auto] lg:items-end">
      {/* The list's order survives a new filter. */}
      {values.sort ? <input type="hidden" name="sort" value={values.sort} /> : null}
      {values.order ? <input type="hidden" name="order" value={values.order} /> : null}
      {values.limit ? <input type="hidden" name="limit" value={values.limit} /> : null}
      {/* Filters the form has no control for (a link's ?role=web, ?spare=true) stay until Clear. */}
      {(['role', 'network', 'spare'] as const).map((k) => (values[k] ? <input key={k} type="hidden" name={k} value={values[k]} /> : null))}
      <TextField name="q" label="Search" type="search" placeholder="hostname, MAC, IP, serial…" defaultValue={values.q ?? ''} />
      <SelectField name="roleId" label="Role" defaultValue={values.roleId ?? ''} choices={[{ value: '', label: 'Any role' }, ...roles]} />
      <SelectField name="state" label="State" defaultValue={values.state ?? ''} choices={[{ value: '', label: 'Any state' }, ...states.map((s) => ({ value: s, label: s }))]} />
      <SelectField name="networkId" label="Network" defaultValue={values.networkId ?? ''} choices={[{ value: '', label: 'Any network' }, ...networks]} />
      <div className="flex items-center gap-2 pb-0.5">
        <button type="submit" className="rounded-md bg-slate-800 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-900">
          Filter
        </button>
        <Link href="/hosts" className="px-2 py-1.5 text-sm text-slate-600 hover:text-slate-900">
          Clear
        </Link>
      </div>
      <CheckboxField name="hasMac" value="false" label="Waiting for hardware only (no MAC yet)" defaultChecked={values.hasMac === 'false'} className="sm:col-span-2 lg:col-span-5" />
    </form>
  );
}
