'use client';
// Create or edit a boot network: addressing, what DHCP hands out, the discovery pool, relays,
// and the optional IPv6 side (prefix, DHCPv6 pool, bootd's IPv6 address).
import { useRouter } from 'next/navigation';
import { SubmitButton } from './submit-button.tsx';
import { CheckboxField, FieldGroup, FormError, SelectField, TextField, type Choice } from './form-field.tsx';
import { readForm } from './form-values.ts';
import { useApiForm } from './use-api-form.ts';
import type { NetworkBootServers, NetworkSettings } from '@/lib/network-settings.ts';

/** A network as the form edits it: every field of the API's create schema, present. */
export interface NetworkFormValues extends NetworkSettings, NetworkBootServers {
  id: string;
}

const fields = ['name', 'cidr', 'gateway', 'dnsServers', 'domain', 'bootServer', 'poolStart', 'poolEnd', 'leaseSeconds', 'relayAddresses', 'discoveryEnabled', 'bootServerId', 'peerBootServerId', 'ipv6Prefix', 'ipv6PoolStart', 'ipv6PoolEnd', 'ipv6BootServer'] as const;

export function NetworkForm({ network, bootServers, readOnly = false }: { network?: NetworkFormValues; bootServers: Choice[]; readOnly?: boolean }) {
  const router = useRouter();
  const form = useApiForm(fields);
  const errors = form.fieldErrors;
  return (
    <form
      aria-label={network ? `Edit network ${network.name}` : 'New network'}
      onSubmit={async (e) => {
        e.preventDefault();
        const v = readForm(e.currentTarget);
        const body = {
          name: v.text('name'),
          cidr: v.text('cidr'),
          gateway: v.text('gateway'),
          dnsServers: v.list('dnsServers'),
          domain: v.text('domain'),
          bootServer: v.text('bootServer'),
          poolStart: v.text('poolStart'),
          poolEnd: v.text('poolEnd'),
          leaseSeconds: v.int('leaseSeconds'),
          relayAddresses: v.list('relayAddresses'),
          discoveryEnabled: v.checked('discoveryEnabled'),
          bootServerId: v.text('bootServerId'),
          peerBootServerId: v.text('peerBootServerId'),
          ipv6Prefix: v.text('ipv6Prefix'),
          ipv6PoolStart: v.text('ipv6PoolStart'),
          ipv6PoolEnd: v.text('ipv6PoolEnd'),
          ipv6BootServer: v.text('ipv6BootServer'),
        };
        if (network) await form.submit({ method: 'PATCH', path: `/api/v1/networks/${network.id}`, body }, { toast: `Saved network ${body.name}` });
        else await form.submit<{ id: string; name: string }>({ method: 'POST', path: '/api/v1/networks', body }, { toast: (n) => `Network ${n.name} created`, then: (n) => router.push(`/networks/${n.id}`) });
      }}
    >
      <fieldset disabled={readOnly || form.pending} className="flex flex-col gap-6">
        <FormError message={form.formError} />
        <FieldGroup title="Addressing">
          <TextField name="name" label="Name" required defaultValue={network?.name ?? ''} error={errors.name} placeholder="rack-a" />
          <TextField name="cidr" label="CIDR" required defaultValue={network?.cidr ?? ''} error={errors.cidr} placeholder="10.0.0.0/24" />
          <TextField name="gateway" label="Gateway" defaultValue={network?.gateway ?? ''} error={errors.gateway} placeholder="10.0.0.1" />
          <TextField name="domain" label="Domain" defaultValue={network?.domain ?? ''} error={errors.domain} placeholder="lab.example.net" />
          <TextField name="dnsServers" label="DNS servers" defaultValue={network?.dnsServers.join(', ') ?? ''} error={errors.dnsServers} placeholder="10.0.0.2, 10.0.0.3" hint="Comma-separated." />
          <TextField name="bootServer" label="Boot server" defaultValue={network?.bootServer ?? ''} error={errors.bootServer} placeholder="10.0.0.5" hint="The next-server address DHCP hands out." />
        </FieldGroup>
        <FieldGroup title="DHCP">
          <TextField name="poolStart" label="Discovery pool start" defaultValue={network?.poolStart ?? ''} error={errors.poolStart} placeholder="10.0.0.200" />
          <TextField name="poolEnd" label="Discovery pool end" defaultValue={network?.poolEnd ?? ''} error={errors.poolEnd} placeholder="10.0.0.250" />
          <TextField name="leaseSeconds" label="Lease time (seconds)" type="number" min={60} defaultValue={network?.leaseSeconds ?? 3600} error={errors.leaseSeconds} />
          <TextField
            name="relayAddresses"
            label="DHCP relay addresses"
            defaultValue={network?.relayAddresses.join(', ') ?? ''}
            error={errors.relayAddresses}
            placeholder="10.0.0.254"
            hint="giaddr values of relays forwarding this network's clients, comma-separated."
          />
          <CheckboxField
            name="discoveryEnabled"
            label="Discovery on: unknown machines get a pool address and boot into discovery"
            defaultChecked={network?.discoveryEnabled ?? true}
            error={errors.discoveryEnabled}
            className="sm:col-span-2"
          />
        </FieldGroup>
        <FieldGroup title="Served by">
          <SelectField
            name="bootServerId"
            label="Boot server"
            defaultValue={network?.bootServerId ?? ''}
            choices={[{ value: '', label: 'none: unnamed bootd only' }, ...bootServers]}
            error={errors.bootServerId}
            hint="The named bootd (Boot servers) that answers this network."
          />
          <SelectField
            name="peerBootServerId"
            label="Second boot server"
            defaultValue={network?.peerBootServerId ?? ''}
            choices={[{ value: '', label: 'none' }, ...bootServers]}
            error={errors.peerBootServerId}
            hint="Optional: the two split unknown machines (RFC 3074) and stand in for each other."
          />
        </FieldGroup>
        <FieldGroup title="IPv6 (optional)">
          <TextField name="ipv6Prefix" label="IPv6 prefix" defaultValue={network?.ipv6Prefix ?? ''} error={errors.ipv6Prefix} placeholder="fd77:77::/64" hint="Leave empty for an IPv4-only network." />
          <TextField name="ipv6BootServer" label="Boot server (IPv6)" defaultValue={network?.ipv6BootServer ?? ''} error={errors.ipv6BootServer} placeholder="fd77:77::1" hint="bootd's IPv6 address here: DHCPv6 boot file URLs name it." />
          <TextField name="ipv6PoolStart" label="DHCPv6 pool start" defaultValue={network?.ipv6PoolStart ?? ''} error={errors.ipv6PoolStart} placeholder="fd77:77::1000" />
          <TextField name="ipv6PoolEnd" label="DHCPv6 pool end" defaultValue={network?.ipv6PoolEnd ?? ''} error={errors.ipv6PoolEnd} placeholder="fd77:77::1fff" hint="Relays are matched by the link address they send, inside the prefix." />
        </FieldGroup>
        {readOnly ? null : (
          <div>
            <SubmitButton pending={form.pending} pendingLabel="Saving…">{network ? 'Save changes' : 'Create network'}</SubmitButton>
          </div>
        )}
      </fieldset>
    </form>
  );
}
