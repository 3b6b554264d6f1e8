// Request latency for the benchmarks: sequential GETs after a warm-up, p50/p95/max in ms.
import { performance } from 'node:perf_hooks';

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface Latency { label: string; p50: number; p95: number; max: number }

/** `requests` sequential GETs of url (after 5 unmeasured ones), each read to its end. */
export async function timeGets(label: string, url: string, headers: Record<string, string>, requests: number): Promise<Latency> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) await (await fetch(url, { headers })).arrayBuffer();
  for (let i = 0; i < requests; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${label}: HTTP ${res.status}`);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { label, p50: percentile(samples, 50), p95: percentile(samples, 95), max: samples[samples.length - 1]! };
}
