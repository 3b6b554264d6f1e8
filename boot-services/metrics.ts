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

/** Cumulative histogram (Prometheus `histogram`): _bucket{le}, _sum, _count per label set. */
class Histogram {
  readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {}
  observe(key: string, value: number): void {
    let s = this.series.get(key);
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, s] of this.series) {
      const sep = key ? ',' : '';
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{${key}${sep}le="${b}"} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket{${key}${sep}le="+Inf"} ${s.count}`);
      lines.push(key ? `${this.name}_sum{${key}} ${s.sum}` : `${this.name}_sum ${s.sum}`);
      lines.push(key ? `${this.name}_count{${key}} ${s.count}` : `${this.name}_count ${s.count}`);
    }
    return lines.join('\n');
  }
}

export class Metrics {
  private readonly families = new Map<string, Family | Histogram>();

  private family(name: string, help: string, kind: 'counter' | 'gauge'): Family {
    let f = this.families.get(name);
    if (!f) {
      f = new Family(name, help, kind);
      this.families.set(name, f);
    }
    if (!(f instanceof Family)) throw new Error(`metric ${name} is a histogram`);
    return f;
  }

  /** Records one observation, e.g. observe('fleetboot_boot_duration_seconds', '…', [10, 30, 60], {}, 42). */
  observe(name: string, help: string, buckets: readonly number[], labels: Labels, value: number): void {
    let h = this.families.get(name);
    if (!h) {
      h = new Histogram(name, help, buckets);
      this.families.set(name, h);
    }
    if (!(h instanceof Histogram)) throw new Error(`metric ${name} is not a histogram`);
    h.observe(labelKey(labels), value);
  }

  /** Observations so far in a histogram (tests). */
  observations(name: string, labels: Labels = {}): number {
    const h = this.families.get(name);
    return h instanceof Histogram ? h.series.get(labelKey(labels))?.count ?? 0 : 0;
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
    const f = this.families.get(name);
    return f instanceof Family ? f.values.get(labelKey(labels)) ?? 0 : 0;
  }

  render(): string {
    return [...this.families.values()].map((f) => f.render()).join('\n') + '\n';
  }
}
