// Prometheus text-format counters and gauges for bootd (exposition format 0.0.4).
// Every packet or transfer ends in exactly one counted result (STYLE.md).

type Labels = Record<string, string>;

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',');
}

class Family {
  readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string, readonly kind: 'counter' | 'gauge') {}
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.kind}`];
    for (const [key, value] of this.values) lines.push(key ? `${this.name}{${key}} ${value}` : `${this.name} ${value}`);
    return lines.join('\n');
  }
}

export class Metrics {
  private readonly families = new Map<string, Family>();

  private family(name: string, help: string, kind: 'counter' | 'gauge'): Family {
    let f = this.families.get(name);
    if (!f) {
      f = new Family(name, help, kind);
      this.families.set(name, f);
    }
    return f;
  }

  /** Adds `by` to a counter, e.g. inc('fleetboot_dhcp_packets_total', 'DHCP packets by result', { result: 'dropped', reason: 'truncated' }). */
  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    const f = this.family(name, help, 'counter');
    const key = labelKey(labels);
    f.values.set(key, (f.values.get(key) ?? 0) + by);
  }

  set(name: string, help: string, labels: Labels, value: number): void {
    this.family(name, help, 'gauge').values.set(labelKey(labels), value);
  }

  get(name: string, labels: Labels = {}): number {
    return this.families.get(name)?.values.get(labelKey(labels)) ?? 0;
  }

  render(): string {
    return [...this.families.values()].map((f) => f.render()).join('\n') + '\n';
  }
}
