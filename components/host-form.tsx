'use client';
// Register a host or edit one: identity, address, role, BMC (password write-only), boot options.
// Read-only (every control disabled, no buttons) for viewers.
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { SubmitButton } from './submit-button.tsx';
import { CheckboxField, FieldGroup, FormError, SelectField, TextareaField, TextField, type Choice } from './form-field.tsx';
import { readForm } from './form-values.ts';
import { useApiForm } from './use-api-form.ts';

export interface HostFormValues {
  id: string;
  hostname: string;
  mac: string | null;
  ip: string | null;
  ipv6: string | null;
  networkId: string | null;
  roleId: string | null;
  bmcAddress: string | null;
  bmcUser: string | null;
  hasBmcPassword: boolean;
  serial: string | null;
  assetTag: string | null;
  spare: boolean;
  bootEnabled: boolean;
  bootOverride: string | null;
  imageOverrideId: string | null;
  notes: string;
}

const fields = ['hostname', 'mac', 'ip', 'ipv6', 'networkId', 'roleId', 'bmcAddress', 'bmcUser', 'bmcPassword', 'serial', 'assetTag', 'spare', 'bootEnabled', 'bootOverride', 'imageOverrideId', 'notes'] as const;

const overrideChoices: Choice[] = [
  { value: '', label: 'None: boot as the role says' },
  { value: 'rescue', label: 'Rescue system' },
  { value: 'memtest', label: 'Memory test' },
  { value: 'localdisk', label: 'Local disk' },
  { value: 'image', label: 'A specific image…' },
];

interface Props {
  host?: HostFormValues;
  roles: Choice[];
  networks: Choice[];
  images: Choice[];
  readOnly?: boolean;
}

export function HostForm({ host, roles, networks, images, readOnly = false }: Props) {
  const router = useRouter();
  const form = useApiForm(fields);
  const [override, setOverride] = useState(host?.bootOverride ?? '');
  const errors = form.fieldErrors;

  return (
    <form
      aria-label={host ? `Edit host ${host.hostname}` : 'New host'}
      onSubmit={async (e) => {
        e.preventDefault();
        const { text, checked } = readForm(e.currentTarget);
        const body: Record<string, unknown> = {
          hostname: text('hostname'),
          mac: text('mac'),
          ip: text('ip'),
          ipv6: text('ipv6'),
          networkId: text('networkId'),
          roleId: text('roleId'),
          bmcAddress: text('bmcAddress'),
          bmcUser: text('bmcUser'),
          serial: text('serial'),
          assetTag: text('assetTag'),
          spare: checked('spare'),
          bootEnabled: checked('bootEnabled'),
          bootOverride: text('bootOverride'),
          imageOverrideId: override === 'image' ? text('imageOverrideId') : '',
          notes: text('notes'),
        };
        // Write-only: an empty box keeps the stored password; "clear" removes it.
        if (checked('clearBmcPassword')) body.bmcPassword = null;
        else if (text('bmcPassword')) body.bmcPassword = text('bmcPassword');
        if (host) {
          await form.submit({ method: 'PATCH', path: `/api/v1/hosts/${host.id}`, body }, { toast: `Saved ${body.hostname as string}` });
        } else {
          await form.submit<{ id: string; hostname: string }>(
            { method: 'POST', path: '/api/v1/hosts', body },
            { toast: (h) => `Host ${h.hostname} registered`, then: (h) => router.push(`/hosts/${h.id}`) },
          );
        }
      }}
    >
      <fieldset disabled={readOnly || form.pending} className="flex flex-col gap-6">
        <FormError message={form.formError} />
        <FieldGroup title="Identity">
          <TextField name="hostname" label="Hostname" required defaultValue={host?.hostname ?? ''} error={errors.hostname} placeholder="web-01" />
          <TextField
            name="mac"
            label="MAC address"
            defaultValue={host?.mac ?? ''}
            error={errors.mac}
            placeholder="aa:bb:cc:dd:ee:ff"
            hint="Leave empty if the hardware hasn't arrived: the host waits for hardware and is claimed when it first boots."
          />
          <TextField name="serial" label="Serial number" defaultValue={host?.serial ?? ''} error={errors.serial} />
          <TextField name="assetTag" label="Asset tag" defaultValue={host?.assetTag ?? ''} error={errors.assetTag} />
        </FieldGroup>
        <FieldGroup title="Address and role">
          <TextField name="ip" label="IP address" defaultValue={host?.ip ?? ''} error={errors.ip} placeholder="10.0.0.21" inputMode="decimal" />
          <TextField name="ipv6" label="IPv6 address" defaultValue={host?.ipv6 ?? ''} error={errors.ipv6} placeholder="fd77:77::21" hint="Reserved for DHCPv6, inside the network's IPv6 prefix." />
          <SelectField
            name="networkId"
            label="Network"
            defaultValue={host?.networkId ?? ''}
            error={errors.networkId}
            choices={[{ value: '', label: 'Pick from the IP address' }, ...networks]}
          />
          <SelectField name="roleId" label="Role" defaultValue={host?.roleId ?? ''} error={errors.roleId} choices={[{ value: '', label: 'No role' }, ...roles]} />
          <div className="flex flex-col justify-end gap-3 pb-1">
            <CheckboxField name="spare" label="Spare (used to stage new images)" defaultChecked={host?.spare ?? false} error={errors.spare} />
            <CheckboxField name="bootEnabled" label="Network boot enabled" defaultChecked={host?.bootEnabled ?? true} error={errors.bootEnabled} />
          </div>
        </FieldGroup>
        <FieldGroup title="Next boot">
          <SelectField
            name="bootOverride"
            label="One-shot boot override"
            value={override}
            onChange={(e) => setOverride(e.target.value)}
            error={errors.bootOverride}
            choices={overrideChoices}
            hint="Used for the next boot only, then cleared."
          />
          {override === 'image' ? (
            <SelectField
              name="imageOverrideId"
              label="Image to boot once"
              defaultValue={host?.imageOverrideId ?? ''}
              error={errors.imageOverrideId}
              choices={[{ value: '', label: images.length ? 'Pick an image' : 'No image registered yet' }, ...images]}
            />
          ) : null}
        </FieldGroup>
        <FieldGroup title="BMC">
          <TextField name="bmcAddress" label="BMC address" defaultValue={host?.bmcAddress ?? ''} error={errors.bmcAddress} placeholder="10.0.100.21" />
          <TextField name="bmcUser" label="BMC user" defaultValue={host?.bmcUser ?? ''} error={errors.bmcUser} autoComplete="off" />
          <TextField
            name="bmcPassword"
            label="BMC password"
            type="password"
            autoComplete="new-password"
            error={errors.bmcPassword}
            placeholder={host?.hasBmcPassword ? '•••••• (stored; type to replace)' : 'not set'}
            hint="Write-only: stored encrypted and never shown again."
          />
          {host?.hasBmcPassword ? <CheckboxField name="clearBmcPassword" label="Remove the stored BMC password" className="justify-end pb-1" /> : null}
        </FieldGroup>
        <TextareaField name="notes" label="Notes" defaultValue={host?.notes ?? ''} error={errors.notes} />
        {readOnly ? null : (
          <div className="flex gap-2">
            <SubmitButton pending={form.pending} pendingLabel="Saving…">{host ? 'Save changes' : 'Register host'}</SubmitButton>
          </div>
        )}
      </fieldset>
    </form>
  );
}
