'use client';
// Make a boot server (admins): its name and site; the credential bootd starts with is shown
// here once, with the environment to start it with.
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { SecretShownOnce } from './secret-shown-once.tsx';
import { SubmitButton } from './submit-button.tsx';
import { FormError, TextField } from './form-field.tsx';
import { readForm } from './form-values.ts';
import { useApiForm } from './use-api-form.ts';

export function BootServerCreateForm() {
  const router = useRouter();
  const form = useApiForm(['name', 'site']);
  const [created, setCreated] = useState<{ name: string; credential: string } | null>(null);
  return (
    <div className="flex flex-col gap-4">
      {created ? (
        <SecretShownOnce
          label="New boot server credential"
          testId="boot-server-credential"
          secret={created.credential}
          onDone={() => setCreated(null)}
          title={<>Boot server <strong>{created.name}</strong> made: this is its credential.</>}
        >
          Start its bootd with <code className="font-mono">FLEETBOOT_BOOTD_NAME={created.name}</code>,{' '}
          <code className="font-mono">FLEETBOOT_BOOTD_CREDENTIAL=&lt;credential&gt;</code> (or a file named by{' '}
          <code className="font-mono">FLEETBOOT_BOOTD_CREDENTIAL_FILE</code>) and <code className="font-mono">FLEETBOOT_CONSOLE_URL</code>.
        </SecretShownOnce>
      ) : null}
      <form
        aria-label="Make a boot server"
        onSubmit={async (e) => {
          e.preventDefault();
          const el = e.currentTarget;
          const v = readForm(el);
          const body = { name: v.text('name'), site: v.text('site') };
          const result = await form.submit<{ bootServer: { name: string }; credential: string }>({ method: 'POST', path: '/api/v1/boot-servers', body }, { toast: (r) => `Boot server ${r.bootServer.name} made` });
          if (result.ok) {
            setCreated({ name: result.data.bootServer.name, credential: result.data.credential });
            el.reset();
            router.refresh();
          }
        }}
      >
        <FormError message={form.formError} />
        <fieldset disabled={form.pending} className="grid grid-cols-1 gap-4 sm:grid-cols-[1fr_1fr_auto] sm:items-start">
          <TextField name="name" label="Name" required placeholder="site-a-1" error={form.fieldErrors.name} hint="FLEETBOOT_BOOTD_NAME of its bootd; can't be changed." />
          <TextField name="site" label="Site" required placeholder="Frankfurt rack A" error={form.fieldErrors.site} />
          <SubmitButton pending={form.pending} pendingLabel="Making…" className="sm:mt-6">
            Make boot server
          </SubmitButton>
        </fieldset>
      </form>
    </div>
  );
}
