// The hook script the DHCP labs give real clients (udhcpc -s, dhclient -sf, dhclient -6 -sf):
// each call appends one record to a file — the event (udhcpc passes it as $1, dhclient in
// $reason), the variables the test wants, END — in one write, so a reader polling the file
// never takes a half-written record for the result. A lab may run shell lines first (configure
// the address the client was given) so an address the test will renew is in place.
import fs from 'node:fs';
import path from 'node:path';

export interface ClientHook {
  script: string;
  /** Where the records are appended. */
  out: string;
}

export interface HookRecord {
  event: string;
  env: Record<string, string>;
}

/**
 * Writes `<dir>/<name>.sh` recording the variables whose names match `variables` (an extended
 * regex of names, e.g. "new_[a-z_]+|ip"), after running `beforeRecord` (shell, $ev is the event).
 */
export function writeClientHook(dir: string, name: string, variables: string, beforeRecord = ''): ClientHook {
  const out = path.join(dir, `${name}.out`);
  const script = path.join(dir, `${name}.sh`);
  fs.writeFileSync(script, `#!/bin/sh
ev="\${1:-$reason}"
${beforeRecord}
record="EVENT=$ev
$(env | grep -E '^(${variables})=' | sed 's/^/  /')
END"
printf '%s\\n' "$record" >> ${out}
exit 0
`, { mode: 0o755 });
  fs.rmSync(out, { force: true });
  return { script, out };
}

/** The complete records so far, in order (the hook may still be writing the last one). */
export function readHookRecords(out: string): HookRecord[] {
  let text = '';
  try { text = fs.readFileSync(out, 'utf8'); } catch { /* the hook never ran */ }
  const records: HookRecord[] = [];
  let current: HookRecord | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('EVENT=')) current = { event: line.slice(6), env: {} };
    else if (line.startsWith('  ') && current) {
      const eq = line.indexOf('=');
      current.env[line.slice(2, eq)] = line.slice(eq + 1);
    } else if (line === 'END' && current) {
      records.push(current);
      current = null;
    }
  }
  return records;
}
