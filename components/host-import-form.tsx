'use client';
// Bulk host import from CSV or JSON (pasted or from a file). All or nothing: when any row is
// bad, nothing is imported and the report names each row, field and reason.
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { SubmitButton } from './submit-button.tsx';
import { Table, TBody, Td, Th } from './data-table.tsx';
import { FormError, SelectField, TextareaField } from './form-field.tsx';
import { useApiForm } from './use-api-form.ts';

interface ImportProblem {
  row: number;
  field: string;
  error: string;
}

const csvExample = `hostname,mac,ip,network,role,serial,spare
web-01,aa:bb:cc:00:00:01,10.0.0.21,lab,web,SN123,false
web-02,,10.0.0.22,lab,web,SN124,false`;

export function HostImportForm() {
  const router = useRouter();
  const form = useApiForm(['body']);
  const [format, setFormat] = useState<'csv' | 'json'>('csv');
  const [text, setText] = useState('');
  const problems = ((form.failure?.details as { problems?: ImportProblem[] } | undefined)?.problems ?? []);

  return (
    <form
      aria-label="Import hosts"
      className="flex flex-col gap-4"
      onSubmit={async (e) => {
        e.preventDefault();
        await form.submit<{ created: number }>(
          { method: 'POST', path: '/api/v1/hosts/import', body: text, contentType: format === 'csv' ? 'text/csv' : 'application/json' },
          { toast: (r) => `Imported ${r.created} host${r.created === 1 ? '' : 's'}`, then: () => router.push('/hosts') },
        );
      }}
    >
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <SelectField
          name="format"
          label="Format"
          value={format}
          onChange={(e) => setFormat(e.target.value === 'json' ? 'json' : 'csv')}
          choices={[
            { value: 'csv', label: 'CSV (header row first)' },
            { value: 'json', label: 'JSON (an array of hosts)' },
          ]}
        />
        <div className="flex flex-col gap-1">
          <label htmlFor="import-file" className="text-sm font-medium text-slate-700">
            File
          </label>
          <input
            id="import-file"
            type="file"
            accept=".csv,.json,text/csv,application/json"
            className="text-sm text-slate-700 file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-800 hover:file:bg-slate-200"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (!file) return;
              setText(await file.text());
              if (file.name.endsWith('.json')) setFormat('json');
              else if (file.name.endsWith('.csv')) setFormat('csv');
            }}
          />
        </div>
      </div>
      <TextareaField
        name="hosts"
        label="Host list"
        rows={10}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder={format === 'csv' ? csvExample : '[{ "hostname": "web-01", "ip": "10.0.0.21", "role": "web" }]'}
        hint="Columns: hostname (required), mac, ip, network (name), role (name), serial, assetTag, bmcAddress, bmcUser, spare, bootEnabled, notes."
        error={form.fieldErrors.body}
      />
      <FormError message={form.formError} />
      {problems.length > 0 ? (
        <div className="rounded-md border border-red-200">
          <p className="border-b border-red-200 bg-red-50 px-4 py-2 text-sm font-medium text-red-900">
            Nothing was imported. Fix these {problems.length} problem{problems.length === 1 ? '' : 's'} and try again:
          </p>
          <Table label="Import problems">
            <thead>
              <tr>
                <Th>Row</Th>
                <Th>Field</Th>
                <Th>Problem</Th>
              </tr>
            </thead>
            <TBody>
              {problems.map((p, i) => (
                <tr key={`${p.row}-${p.field}-${i}`}>
                  <Td className="tabular-nums">{p.row}</Td>
                  <Td className="font-mono text-xs">{p.field}</Td>
                  <Td>{p.error}</Td>
                </tr>
              ))}
            </TBody>
          </Table>
        </div>
      ) : null}
      <div>
        <SubmitButton pending={form.pending} pendingLabel="Importing…" disabled={text.trim() === ''}>
          Import hosts
        </SubmitButton>
      </div>
    </form>
  );
}
