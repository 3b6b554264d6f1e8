'use client';
// Create or edit a role: how its hosts boot (root mode, bootloader, kernel command line) and the
// rollout policy of its images.
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { SubmitButton } from './submit-button.tsx';
import { CheckboxField, FieldGroup, FormError, SelectField, TextareaField, TextField, type Choice } from './form-field.tsx';
import { readForm } from './form-values.ts';
import { useApiForm } from './use-api-form.ts';

export interface RoleFormValues {
  id: string;
  name: string;
  description: string;
  rootMode: string;
  bootLoader: string;
  uefiBootChain: string;
  cmdlineTemplate: string;
  nfsExport: string | null;
  diskRoot: string | null;
  healthCheck: string | null;
  activeImageId: string | null;
  rolloutBatchSize: number;
  rolloutMaxConcurrent: number;
  stallSeconds: number;
}

const fields = ['name', 'description', 'rootMode', 'bootLoader', 'uefiBootChain', 'cmdlineTemplate', 'nfsExport', 'diskRoot', 'healthCheck', 'activeImageId', 'forceActivate', 'rolloutBatchSize', 'rolloutMaxConcurrent', 'stallSeconds'] as const;

const rootModes: Choice[] = [
  { value: 'ram', label: 'RAM: root filesystem fetched into memory' },
  { value: 'nfs', label: 'NFS: root mounted over the network' },
  { value: 'disk', label: 'Disk: root on the local disk' },
];
const bootLoaders: Choice[] = [
  { value: 'pxelinux', label: 'PXELINUX (BIOS)' },
  { value: 'ipxe', label: 'iPXE (BIOS and UEFI, HTTP)' },
];
const uefiBootChains: Choice[] = [
  { value: 'ipxe', label: 'iPXE (Secure Boot off)' },
  { value: 'secure_boot', label: 'Secure Boot: shim → signed GRUB → signed kernel' },
];
/** What each UEFI chain needs, shown under the choice (README "UEFI boot chains" says more). */
const uefiChainHelp: Record<string, string> = {
  ipxe: 'UEFI hosts get ipxe.efi, which is unsigned: their firmware must have Secure Boot off. Kernel and initrd come over HTTP.',
  secure_boot:
    "UEFI hosts get Debian's Microsoft-signed shim, which loads Debian's signed network GRUB, which loads the image's kernel and initrd over TFTP. Works with Secure Boot on or off, with PXE only: Debian's signed GRUB can't fetch files over UEFI HTTP boot. The image's kernel must be signed by a key shim trusts (Debian's own kernel is); the image page says whether it is. Needs the shim-signed and grub-efi-amd64-signed packages on the boot server.",
};

interface Props {
  role?: RoleFormValues;
  /** This role's images that may become active (edit only): verified ones, and for an admin ready ones (forced). */
  images?: Choice[];
  /** The signed-in user is an admin: a ready image may be forced past the health gate. */
  canForce?: boolean;
  cmdlineVariables: readonly string[];
  readOnly?: boolean;
}

export function RoleForm({ role, images = [], canForce = false, cmdlineVariables, readOnly = false }: Props) {
  const router = useRouter();
  const form = useApiForm(fields);
  const errors = form.fieldErrors;
  const [rootMode, setRootMode] = useState(role?.rootMode ?? 'ram');
  const [uefiBootChain, setUefiBootChain] = useState(role?.uefiBootChain ?? 'ipxe');
  return (
    <form
      aria-label={role ? `Edit role ${role.name}` : 'New role'}
      onSubmit={async (e) => {
        e.preventDefault();
        const v = readForm(e.currentTarget);
        const body: Record<string, unknown> = {
          name: v.text('name'),
          description: v.text('description'),
          rootMode,
          bootLoader: v.text('bootLoader'),
          uefiBootChain,
          cmdlineTemplate: v.text('cmdlineTemplate'),
          nfsExport: rootMode === 'nfs' ? v.text('nfsExport') : role?.nfsExport ?? '',
          diskRoot: rootMode === 'disk' ? v.text('diskRoot') : role?.diskRoot ?? '',
          healthCheck: v.text('healthCheck'),
          rolloutBatchSize: v.int('rolloutBatchSize'),
          rolloutMaxConcurrent: v.int('rolloutMaxConcurrent'),
          stallSeconds: v.int('stallSeconds'),
        };
        if (role) {
          // Sent only when changed: the server re-checks an image it is given.
          if (v.text('activeImageId') !== (role.activeImageId ?? '')) body.activeImageId = v.text('activeImageId');
          if (canForce && v.checked('forceActivate')) body.forceActivate = true;
          await form.submit({ method: 'PATCH', path: `/api/v1/roles/${role.id}`, body }, { toast: `Saved role ${body.name as string}` });
        } else {
          await form.submit<{ id: string; name: string }>({ method: 'POST', path: '/api/v1/roles', body }, { toast: (r) => `Role ${r.name} created`, then: (r) => router.push(`/roles/${r.id}`) });
        }
      }}
    >
      <fieldset disabled={readOnly || form.pending} className="flex flex-col gap-6">
        <FormError message={form.formError} />
        <FieldGroup title="Role">
          <TextField name="name" label="Name" required defaultValue={role?.name ?? ''} error={errors.name} placeholder="web" />
          <TextField name="description" label="Description" defaultValue={role?.description ?? ''} error={errors.description} />
        </FieldGroup>
        <FieldGroup title="Boot">
          <SelectField name="rootMode" label="Root mode" value={rootMode} onChange={(e) => setRootMode(e.target.value)} error={errors.rootMode} choices={rootModes} />
          <SelectField name="bootLoader" label="Bootloader" defaultValue={role?.bootLoader ?? 'pxelinux'} error={errors.bootLoader} choices={bootLoaders} hint="BIOS hosts. UEFI hosts follow the UEFI boot chain." />
          <SelectField
            name="uefiBootChain"
            label="UEFI boot chain"
            value={uefiBootChain}
            onChange={(e) => setUefiBootChain(e.target.value)}
            error={errors.uefiBootChain}
            choices={uefiBootChains}
            hint={uefiChainHelp[uefiBootChain]}
          />
          {rootMode === 'nfs' ? (
            <TextField name="nfsExport" label="NFS export" required defaultValue={role?.nfsExport ?? ''} error={errors.nfsExport} placeholder="10.0.0.5:/srv/roots/web" />
          ) : null}
          {rootMode === 'disk' ? (
            <TextField name="diskRoot" label="Disk root" required defaultValue={role?.diskRoot ?? ''} error={errors.diskRoot} placeholder="LABEL=root" />
          ) : null}
          <TextareaField
            name="cmdlineTemplate"
            label="Kernel command line template"
            className="sm:col-span-2"
            defaultValue={role?.cmdlineTemplate ?? 'console=ttyS0 fleetboot.host={hostname} fleetboot.role={role} fleetboot.root={rootMode}'}
            error={errors.cmdlineTemplate}
            hint={`Variables: ${cmdlineVariables.map((x) => `{${x}}`).join(' ')}`}
          />
          <TextField name="healthCheck" label="Health check" defaultValue={role?.healthCheck ?? ''} error={errors.healthCheck} placeholder="curl -fsS http://localhost/health" className="sm:col-span-2" hint="Run on the booted host; a new image passes its gate when this succeeds." />
          {role ? (
            <SelectField
              name="activeImageId"
              label="Active image"
              defaultValue={role.activeImageId ?? ''}
              error={errors.activeImageId}
              choices={[{ value: '', label: images.length ? 'None' : 'No verified image yet' }, ...images]}
              hint="A new image becomes active through its stage on a spare (the health gate) and Promote, on its image page."
            />
          ) : null}
          {role && canForce ? (
            <CheckboxField
              name="forceActivate"
              label="Force a ready image past the health gate"
              error={errors.forceActivate}
              hint="Admins only, recorded in the audit log as force-activate. Its hosts boot it without a spare ever having passed its health check."
            />
          ) : null}
        </FieldGroup>
        <FieldGroup title="Rollout and stalls">
          <TextField name="rolloutBatchSize" label="Rollout batch size" type="number" min={1} defaultValue={role?.rolloutBatchSize ?? 5} error={errors.rolloutBatchSize} />
          <TextField name="rolloutMaxConcurrent" label="Max concurrent boots" type="number" min={1} defaultValue={role?.rolloutMaxConcurrent ?? 10} error={errors.rolloutMaxConcurrent} />
          <TextField
            name="stallSeconds"
            label="Stall after (seconds)"
            type="number"
            min={30}
            defaultValue={role?.stallSeconds ?? 300}
            error={errors.stallSeconds}
            hint="A boot with no progress for this long is marked stalled."
          />
        </FieldGroup>
        {readOnly ? null : (
          <div>
            <SubmitButton pending={form.pending} pendingLabel="Saving…">{role ? 'Save changes' : 'Create role'}</SubmitButton>
          </div>
        )}
      </fieldset>
    </form>
  );
}
