// Scale benchmark (issue 14): 50,000 hosts in 200 networks served by 3 real bootd (each a named
// boot server with its own state directory, pulling from the real web process on loopback):
//  - each bootd's view load (process start to "view loaded") and its RSS;
//  - artifact sync throughput: a bootd pulling the active image's kernel by sha256 into its
//    cache, against curl fetching the same URL with the same credential into a file on the same
//    disk, in the same run (ratio; target ≥ 0.9×);
//  - change propagation: an API write (PATCH /hosts/{id}) until every bootd's view has read the
//    change log past it, p50/p95 (target p95 < 1 s);
//  - hosts list API at 50,000 hosts, p50/p95 (target p95 < 300 ms).
// Run: bash bench/scale/run.sh (BENCH_HOSTS, BENCH_ARTIFACT_MIB, BENCH_WRITES, BENCH_REQUESTS).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startLoopbackBootd, type LoopbackBootd } from '../../boot-services/testing/bootd-process.ts';
import { apiClient, startTestWebApp } from '../../server/testing/web-app.ts';
import { percentile, timeGets, type Latency } from '../latency.ts';

const hostCount = Number(process.env.BENCH_HOSTS ?? 50_000);
const networkCount = 200;
const bootdCount = 3;
const artifactBytes = Number(process.env.BENCH_ARTIFACT_MIB ?? 256) * 1024 * 1024;
const writes = Number(process.env.BENCH_WRITES ?? 50);
const requests = Number(process.env.BENCH_REQUESTS ?? 200);
/** Every wait below is bounded. */
const waitLimitMs = 300_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' / ');
const mb = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

interface Bootd { name: string; process: LoopbackBootd; lines: Array<{ atMs: number; text: string }>; spawnedAtMs: number }

/** The time (performance.now) bootd printed a line matching pattern; waits for it. */
async function lineAt(b: Bootd, pattern: RegExp): Promise<number> {
  const deadline = Date.now() + waitLimitMs;
  for (;;) {
    const found = b.lines.find((l) => pattern.test(l.text));
    if (found) return found.atMs;
    if (b.process.child.exitCode !== null) throw new Error(`${b.name} exited: ${b.process.output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`${b.name}: no ${pattern} in ${waitLimitMs} ms`);
    await sleep(20);
  }
}

function rssMiB(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

async function viewSeq(b: Bootd): Promise<bigint> {
  const res = await fetch(`http://127.0.0.1:${b.process.adminPort}/healthz`);
  return BigInt(((await res.json()) as { viewSeq: string }).viewSeq);
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-scale-'));
const app = await startTestWebApp('bench_scale');
const pool = new pg.Pool({ connectionString: app.db.url, max: 4 });
const bootds: Bootd[] = [];
try {
  const loadAtStart = load();
  const cookie = await app.signIn();
  const api = apiClient(app.url, { cookie });
  const servers: Array<{ id: string; name: string; credential: string }> = [];
  for (let i = 0; i < bootdCount; i++) {
    const made = await api.post('/boot-servers', { name: `scale-${i}`, site: `site-${i}` });
    if (made.status !== 201) throw new Error(`boot server: ${JSON.stringify(made.body)}`);
    servers.push({ id: made.body.bootServer.id, name: made.body.bootServer.name, credential: made.body.credential });
  }

  // The image every host boots: a kernel of artifactBytes (random: no compression helps anyone).
  const role = await api.post('/roles', { name: 'scale', bootLoader: 'ipxe' });
  const image = await api.post('/images', { roleId: role.body.id, version: 'v1' });
  const kernel = randomBytes(artifactBytes);
  const kernelSha = createHash('sha256').update(kernel).digest('hex');
  for (const [kind, body] of [['kernel', kernel], ['initrd', randomBytes(1024 * 1024)]] as const) {
    const res = await fetch(`${app.url}/api/v1/images/${image.body.id}/artifacts/${kind}`, {
      method: 'PUT', body: new Uint8Array(body),
      headers: { cookie, origin: app.url, 'content-type': 'application/octet-stream', 'x-checksum-sha256': createHash('sha256').update(body).digest('hex') },
    });
    if (res.status !== 200) throw new Error(`upload ${kind}: ${res.status} ${await res.text()}`);
  }
  if ((await api.patch(`/images/${image.body.id}`, { status: 'ready' })).status !== 200) throw new Error('image not ready');
  // A freshly uploaded image is ready, not verified: the bench skips the rollout gate as an admin may.
  if ((await api.patch(`/roles/${role.body.id}`, { activeImageId: image.body.id, forceActivate: true })).status !== 200) throw new Error('image not active');

  // 200 /24 networks, each served by one of the boot servers, 250 hosts on each (seeded in SQL:
  // the seeding is not what is measured).
  const seedStart = performance.now();
  await pool.query(
    `INSERT INTO "Network" (id, name, cidr, "dnsServers", "bootServer", "poolStart", "poolEnd", "leaseSeconds", "discoveryEnabled", "bootServerId", "updatedAt")
     SELECT gen_random_uuid(), 'scale-' || n, '10.' || (n / 256) || '.' || (n % 256) || '.0/24', ARRAY[]::text[], '127.0.0.1',
            '10.' || (n / 256) || '.' || (n % 256) || '.252', '10.' || (n / 256) || '.' || (n % 256) || '.254', 600, true, ($1::uuid[])[n % 3 + 1], now()
     FROM generate_series(0, $2 - 1) AS n`,
    [servers.map((s) => s.id), networkCount],
  );
  const perNetwork = Math.ceil(hostCount / networkCount);
  await pool.query(
    `INSERT INTO "Host" (id, hostname, mac, ip, "networkId", "roleId", "updatedAt")
     SELECT gen_random_uuid(), 'h-' || n.i || '-' || k, '02:00:00:' || lpad(to_hex(n.i / 256), 2, '0') || ':' || lpad(to_hex(n.i % 256), 2, '0') || ':' || lpad(to_hex(k), 2, '0'),
            '10.' || (n.i / 256) || '.' || (n.i % 256) || '.' || (k + 2), n.id, $1, now()
     FROM (SELECT id, substring(name from 7)::int AS i FROM "Network" WHERE name LIKE 'scale-%') n, generate_series(0, $2 - 1) AS k
     WHERE n.i * $2 + k < $3`,
    [role.body.id, perNetwork, hostCount],
  );
  const seeded = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM "Host"')).rows[0]!.n;
  console.log(`seeded ${seeded} hosts in ${networkCount} networks in ${((performance.now() - seedStart) / 1000).toFixed(1)} s; load ${loadAtStart}`);

  // curl, the reference: the same URL, the same credential, into a file on the same disk.
  const artifactUrl = `${app.url}/api/v1/artifacts/${kernelSha}`;
  // bootd fsyncs what it pulled before it keeps it: `durable` has curl's file fsynced too (coreutils sync FILE).
  const curl = (durable = false): number => {
    const out = path.join(scratch, 'curl.out');
    const t0 = performance.now();
    execFileSync('curl', ['-sf', '-o', out, '-H', `Authorization: Bearer ${servers[0]!.credential}`, artifactUrl], { timeout: waitLimitMs });
    if (durable) execFileSync('sync', [out]);
    const ms = performance.now() - t0;
    if (fs.statSync(out).size !== artifactBytes) throw new Error('curl got a short file');
    fs.rmSync(out);
    return mb(artifactBytes, ms);
  };
  curl(); // warm the console's page cache, as a bootd's pull would find it after the upload
  const curlRuns = [curl(), curl()];
  const durableRuns = [curl(true), curl(true)];

  // The bootd, one after the other, so each pull has the machine as curl had it.
  const rows: string[] = [];
  for (const s of servers) {
    const spawnedAtMs = performance.now();
    const running = await startLoopbackBootd(app.db.url, {
      FLEETBOOT_BOOTD_NAME: s.name, FLEETBOOT_BOOTD_CREDENTIAL: s.credential, FLEETBOOT_CONSOLE_URL: app.url,
      FLEETBOOT_ARTIFACT_CACHE_BYTES: String(4 * artifactBytes),
    });
    const b: Bootd = { name: s.name, process: running, lines: [], spawnedAtMs };
    let partial = '';
    running.child.stdout?.on('data', (d: Buffer) => {
      const atMs = performance.now();
      const text = partial + d.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) b.lines.push({ atMs, text: line });
    });
    bootds.push(b);
    const viewAt = await lineAt(b, /view loaded from the database/);
    const hosts = /"hosts":(\d+)/.exec(b.lines.find((l) => /view loaded/.test(l.text))!.text)?.[1];
    const openedAt = await lineAt(b, /artifact cache opened/);
    const pulledAt = await lineAt(b, new RegExp(`artifact pulled into the cache.*${kernelSha}`));
    const pullMbS = mb(artifactBytes, pulledAt - openedAt);
    const mem = rssMiB(running.child.pid!);
    rows.push(`| ${s.name} | ${hosts} | ${((viewAt - spawnedAtMs) / 1000).toFixed(2)} | ${mem.rss.toFixed(0)} / ${mem.hwm.toFixed(0)} | ${pullMbS.toFixed(0)} |`);
    console.log(`${s.name}: view of ${hosts} hosts ${((viewAt - spawnedAtMs) / 1000).toFixed(2)} s after spawn; kernel pulled at ${pullMbS.toFixed(0)} MB/s; RSS ${mem.rss.toFixed(0)} MiB`);
  }
  curlRuns.push(curl(), curl());
  durableRuns.push(curl(true), curl(true));
  const median = (runs: number[]) => [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
  const curlMedian = median(curlRuns);
  const durableMedian = median(durableRuns);
  const pulls = rows.map((r) => Number(r.split('|')[5]));

  // Change propagation: an API write, until all three views have read past it.
  const targets = (await pool.query<{ id: string }>(`SELECT id FROM "Host" ORDER BY random() LIMIT $1`, [writes])).rows;
  const propagation: number[] = [];
  for (const [i, t] of targets.entries()) {
    const t0 = performance.now();
    const res = await api.patch(`/hosts/${t.id}`, { hostname: `moved-${i}` });
    if (res.status !== 200) throw new Error(`PATCH: ${res.status} ${JSON.stringify(res.body)}`);
    const seq = BigInt((await pool.query<{ s: string }>('SELECT max(seq)::text AS s FROM "Change"')).rows[0]!.s);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const seqs = await Promise.all(bootds.map(viewSeq));
      if (seqs.every((s) => s >= seq)) break;
      if (Date.now() > deadline) throw new Error(`change ${seq} not in every view after 30 s: ${seqs.join(', ')}`);
      await sleep(2);
    }
    propagation.push(performance.now() - t0);
  }
  propagation.sort((a, b) => a - b);

  const lists: Latency[] = [
    await timeGets('hosts API page 1, no filter', `${app.url}/api/v1/hosts?limit=100`, { cookie }, requests),
    await timeGets('hosts API page 1, role filter', `${app.url}/api/v1/hosts?limit=100&roleId=${role.body.id}`, { cookie }, requests),
    await timeGets('hosts API search "h-17-"', `${app.url}/api/v1/hosts?limit=100&q=h-17-`, { cookie }, requests),
  ];

  console.log(`\n${seeded} hosts, ${networkCount} networks, ${bootdCount} bootd; load average at start ${loadAtStart}, at end ${load()} (2 cores)\n`);
  console.log('| bootd | hosts in its view | start → view loaded, s | RSS / peak RSS, MiB | kernel pull, MB/s |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
  console.log(`\nartifact sync (${artifactBytes / 1024 / 1024} MiB, sha256-checked and fsynced into the cache) against curl of the same URL into a file on the same disk: `
    + `curl ${curlRuns.map((c) => c.toFixed(0)).join(', ')} MB/s (median ${curlMedian.toFixed(0)}); curl + fsync of its file ${durableRuns.map((c) => c.toFixed(0)).join(', ')} MB/s (median ${durableMedian.toFixed(0)})`);
  console.log('| | MB/s | ratio to curl | ratio to curl + fsync | target ≥ 0.9× curl |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [i, p] of pulls.entries()) console.log(`| ${servers[i]!.name} | ${p.toFixed(0)} | ${(p / curlMedian).toFixed(2)}× | ${(p / durableMedian).toFixed(2)}× | ${p / curlMedian >= 0.9 ? 'met' : 'MISSED'} |`);
  const p95 = percentile(propagation, 95);
  console.log(`\nchange propagation, API write → all ${bootdCount} views (${writes} writes): p50 ${percentile(propagation, 50).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${propagation.at(-1)!.toFixed(0)} ms; target p95 < 1000 ms: ${p95 < 1000 ? 'met' : 'MISSED'}`);
  console.log('\n| request | p50 ms | p95 ms | max ms | target p95 < 300 ms |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of lists) console.log(`| ${r.label} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} | ${r.p95 < 300 ? 'met' : 'MISSED'} (${(r.p95 / 300).toFixed(2)}× of budget) |`);
} finally {
  for (const b of bootds) await b.process.stop();
  await pool.end();
  await app.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
}
