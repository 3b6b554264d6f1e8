// "Why didn't it boot?" on a host's page: the boot doctor's verdict in words first (what stops
// it, what to try), then every check, and per firmware the boot file DHCP gives, the files the
// loader fetches after it and the config text bootd serves it, verbatim.
import { doctorCauseText, type CheckStatus, type HostDiagnosis } from '@/lib/boot/host-doctor.ts';
import { Badge, type BadgeTone } from './badge.tsx';
import { Panel } from './page-header.tsx';

const statusWords: Record<CheckStatus, { tone: BadgeTone; word: string }> = {
  ok: { tone: 'green', word: 'ok' },
  warn: { tone: 'amber', word: 'note' },
  fail: { tone: 'red', word: 'stops it' },
};

function Verdict({ d }: { d: HostDiagnosis }) {
  const failing = d.checks.find((c) => c.status === 'fail');
  if (failing) {
    return (
      <div role="alert" data-testid="doctor-verdict" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900">
        <p className="font-semibold">It can&apos;t boot: {failing.cause ? doctorCauseText[failing.cause] : failing.title.toLowerCase()}.</p>
        <p className="mt-1">{failing.detail}</p>
        {failing.hint ? <p className="mt-1"><span className="font-medium">Try:</span> {failing.hint}</p> : null}
      </div>
    );
  }
  const notes = d.checks.filter((c) => c.status === 'warn');
  return (
    <div data-testid="doctor-verdict" className="rounded-md border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-900">
      <p className="font-semibold">Nothing in its settings stops it booting{notes.length ? ', with a note' : ''}.</p>
      {notes.map((n) => (
        <p key={n.key} className="mt-1">{n.detail}{n.hint ? ` ${n.hint}` : ''}</p>
      ))}
      <p className="mt-1 text-green-800">If it still doesn&apos;t come up, the timeline above shows how far it got.</p>
    </div>
  );
}

export function BootDoctorPanel({ diagnosis: d }: { diagnosis: HostDiagnosis }) {
  return (
    <Panel title="Why didn't it boot?" className="mb-6">
      <div className="space-y-4 p-4" data-testid="boot-doctor">
        <Verdict d={d} />
        <ul className="divide-y divide-slate-100 text-sm">
          {d.checks.map((c) => (
            <li key={c.key} className="grid grid-cols-[7rem_6rem_minmax(0,1fr)] gap-3 py-2" data-testid={`doctor-check-${c.key}`}>
              <span className="font-medium text-slate-900">{c.title}</span>
              <span><Badge tone={statusWords[c.status].tone}>{statusWords[c.status].word}</Badge></span>
              <span className="break-words text-slate-700">
                {c.detail}
                {c.hint && c.status !== 'ok' ? <span className="block text-slate-500">Try: {c.hint}</span> : null}
              </span>
            </li>
          ))}
        </ul>
        {d.relayPath ? <p className="text-sm text-slate-700"><span className="font-medium">Relay path:</span> {d.relayPath}</p> : null}
        {d.firmwares.length ? (
          <div className="space-y-3">
            <h3 className="text-sm font-semibold text-slate-900">By firmware: what DHCP gives and what the loader fetches next</h3>
            {d.firmwares.map((f) => (
              <details key={f.firmware} className="rounded-md border border-slate-200" data-testid={`doctor-firmware-${f.firmware}`}>
                <summary className="cursor-pointer px-3 py-2 text-sm">
                  <span className="font-medium">{f.label}</span>
                  {': '}
                  {f.dhcpBootFile ? <code className="text-xs">{f.dhcpBootFile}</code> : <span className="text-slate-500">no boot file offered</span>}
                  {f.nextServer ? <span className="text-slate-500"> from {f.nextServer}</span> : null}
                </summary>
                <div className="space-y-2 border-t border-slate-200 px-3 py-2 text-sm">
                  <ol className="list-decimal pl-5 text-slate-700">
                    {f.chain.map((step, i) => (
                      <li key={i}>
                        <code className="text-xs break-all">{step.file}</code> <span className="text-slate-500">over {step.over.toUpperCase()}{step.note ? `, ${step.note}` : ''}</span>
                      </li>
                    ))}
                  </ol>
                  {f.config ? (
                    <div>
                      <p className="text-slate-600">bootd serves <code className="text-xs break-all">{f.config.name}</code> as:</p>
                      <pre className="mt-1 rounded bg-slate-900 p-3 text-xs break-all whitespace-pre-wrap text-slate-100" data-testid={`doctor-config-${f.firmware}`}>{f.config.text}</pre>
                    </div>
                  ) : null}
                </div>
              </details>
            ))}
          </div>
        ) : null}
      </div>
    </Panel>
  );
}
