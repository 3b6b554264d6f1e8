// Several bootd's Prometheus expositions (text format 0.0.4) as one: each sample gets a
// boot_server label naming its bootd (none for the unnamed one beside the console), and each
// family is written once, its samples from every bootd together, as the format requires.
// Pure: texts in, text out.

export interface Exposition {
  /** The boot server's name; null: the bootd on this machine. */
  bootServer: string | null;
  text: string;
}

interface Family { help: string | null; type: string | null; samples: string[] }

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function labelled(sample: string, bootServer: string | null): string {
  if (bootServer === null) return sample;
  const label = `boot_server="${escapeLabel(bootServer)}"`;
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{)?/.exec(sample);
  if (!m) return sample;
  return m[2] ? `${m[1]}{${label},${sample.slice(m[0].length)}` : `${m[1]}{${label}}${sample.slice(m[1]!.length)}`;
}

export function mergeExpositions(sources: readonly Exposition[]): string {
  const families = new Map<string, Family>();
  const comments: string[] = [];
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { help: null, type: null, samples: [] }));
    return f;
  };
  for (const source of sources) {
    // A sample belongs to the family whose HELP/TYPE came last (histograms' _bucket/_sum/_count too).
    let current: string | null = null;
    for (const line of source.text.split('\n')) {
      if (line.trim() === '') continue;
      const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$/.exec(line);
      if (meta) {
        current = meta[2]!;
        const f = family(current);
        if (meta[1] === 'HELP') f.help ??= line;
        else f.type ??= line;
        continue;
      }
      if (line.startsWith('#')) {
        comments.push(line);
        continue;
      }
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? '';
      family(current && name.startsWith(current) ? current : name).samples.push(labelled(line, source.bootServer));
    }
  }
  const out = [...comments];
  for (const f of families.values()) {
    if (f.help) out.push(f.help);
    if (f.type) out.push(f.type);
    out.push(...f.samples);
  }
  return out.join('\n');
}
