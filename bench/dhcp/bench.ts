// DHCP benchmark (issue 4): Kea's perfdhcp drives DORA exchanges, in one run and with the same
// pool, at bootd (leases durable in Postgres), kea-dhcp4 (memfile) and dnsmasq, each inside a
// server namespace, perfdhcp in a client namespace acting as a relay. For each server it steps
// the rate up until an exchange type loses ≥ 1 % (or the achieved rate falls short), and
// prints the highest clean rate, its latency, and the ratios. Run through run.sh.
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createTestDatabase } from '../../server/db/testing.ts';
import { NetnsLab, labSkipReason, type LabNamespace } from '../../boot-services/testing/netns-lab.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const serverIp = '10.88.0.1';
const clientIp = '10.88.0.2';
const poolStart = '10.88.1.0';
const poolEnd = '10.88.20.255'; // 5,120 addresses for every server
const clients = Number(process.env.BENCH_CLIENTS ?? 4000);
const stepSeconds = Number(process.env.BENCH_STEP_SECONDS ?? 5);
const rates = (process.env.BENCH_RATES ?? '250,500,1000,2000,3000,4000,5000,6000,7000,8000,9000,10000,11000,12000,14000,16000,18000,20000,25000').split(',').map(Number);
const servers = (process.env.BENCH_SERVERS ?? 'bootd,kea,dnsmasq').split(',');
/**
 * perfdhcp processes sharing each step's rate and clients, each its own relay address and MAC
 * range: one perfdhcp is a single sending thread, which can be the ceiling rather than the server.
 */
const perfdhcpInstances = Number(process.env.BENCH_PERFDHCP ?? 1);
/**
 * perfdhcp -g: 'single' by default. In its 'multi' mode (its own default on a multi-core box) a
 * receiver thread competes with the server for the two cores and perfdhcp itself loses packets
 * past ~8,000 exchanges/s: Kea went from 0 % loss at 10,000/s (single) to 12.5 % (multi), with
 * Kea's own CPU below 70 % (README "What limits the measurement").
 */
const perfdhcpThreads = process.env.BENCH_PERFDHCP_THREADS ?? 'single';
const allSteps = process.env.BENCH_ALL_STEPS === '1';
const clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface CpuUse { server: number; postgres: number; perfdhcp: number }
interface Step {
  rate: number; achieved: number; dropPercent: number; avgDelayMs: number; ok: boolean;
  /** Exchanges completed (ACKs received), the divisor of the CPU cost per exchange. */
  acks: number;
  /** Per exchange type (DISCOVER-OFFER, REQUEST-ACK): drops, orphans (answers after perfdhcp gave up), max delay. */
  exchanges: string;
  /** CPU seconds each party used during the step (perfdhcp: the load generator itself). */
  cpu: CpuUse;
  load: string;
}
interface ServerResult { name: string; best: Step | null; steps: Step[] }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** perfdhcp's final reports (one per instance): achieved rate, drops ratio and average delay of both exchange types. */
function parsePerfdhcp(outs: string[], rate: number): Omit<Step, 'cpu' | 'load'> {
  const perType = new Map<string, { drops: number; orphans: number; avgMs: number; maxMs: number }>();
  let sent = 0;
  let received = 0;
  let delaySum = 0;
  let delays = 0;
  let discoversSent = 0;
  let acks = 0;
  for (const out of outs) {
    const sections = out.split('Statistics for:').slice(1);
    sections.forEach((s, i) => {
      const sentN = Number(/sent packets:\s*(\d+)/.exec(s)?.[1] ?? 0);
      const recvN = Number(/received packets:\s*(\d+)/.exec(s)?.[1] ?? 0);
      sent += sentN;
      received += recvN;
      delaySum += Number(/avg delay:\s*([\d.]+)/.exec(s)?.[1] ?? 0);
      delays++;
      // perfdhcp's own "Rate:" counts its exit wait too; DISCOVERs sent per second of the step is the offered load.
      if (i === 0) discoversSent += sentN;
      if (i === 1) acks += recvN;
      const name = /^\s*([A-Z-]+)/.exec(s)?.[1] ?? String(i);
      const t = perType.get(name) ?? { drops: 0, orphans: 0, avgMs: 0, maxMs: 0 };
      t.avgMs = Math.max(t.avgMs, Number(/avg delay:\s*([\d.]+)/.exec(s)?.[1] ?? 0));
      t.drops += Number(/drops:\s*(\d+)/.exec(s)?.[1] ?? 0);
      t.orphans += Number(/orphans:\s*(\d+)/.exec(s)?.[1] ?? 0);
      t.maxMs = Math.max(t.maxMs, Number(/max delay:\s*([\d.]+)/.exec(s)?.[1] ?? 0));
      perType.set(name, t);
    });
  }
  const achieved = discoversSent / stepSeconds;
  const dropPercent = sent === 0 ? 100 : (100 * (sent - received)) / sent;
  const avgDelayMs = delays ? delaySum / delays : 0;
  const exchanges = [...perType].map(([name, t]) => `${name} drops ${t.drops}, orphans ${t.orphans}, avg ${t.avgMs.toFixed(2)} ms, max ${t.maxMs.toFixed(0)} ms`).join('; ');
  return { rate, achieved, dropPercent, avgDelayMs, acks, exchanges, ok: sent > 0 && dropPercent < 1 && achieved >= rate * 0.95 };
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces): [0] is field 3. */
function procStat(pid: number | 'self'): string[] | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU seconds of a process (utime + stime), with its reaped children's when asked. */
function cpuSeconds(pid: number | 'self', withChildren = false): number {
  const f = procStat(pid);
  if (!f) return 0;
  const ticks = Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0);
  return ticks / clockTicksPerSecond;
}

/**
 * Every PostgreSQL process of the bench's cluster: the postmaster with its reaped children, plus
 * its live children (backends, WAL writer, checkpointer) with theirs.
 */
function postgresCpuSeconds(postmasterPid: number | null): number {
  if (postmasterPid === null) return 0;
  let total = cpuSeconds(postmasterPid, true);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = procStat(Number(entry));
    if (f && Number(f[1]) === postmasterPid) total += cpuSeconds(Number(entry), true);
  }
  return total;
}

/** A namespace's UDP receive-buffer overflows so far (/proc/net/snmp RcvbufErrors): where a datagram was lost. */
function udpBufferErrors(ns: LabNamespace): number {
  const lines = ns.exec('cat', ['/proc/net/snmp']).split('\n').filter((l) => l.startsWith('Udp:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  return Number(values[names.indexOf('RcvbufErrors')] ?? 0);
}

function runPerfdhcp(client: LabNamespace, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const child = client.spawn('perfdhcp', args);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // perfdhcp exits non-zero when it saw drops; its report is still on stdout.
    child.on('close', () => { clearTimeout(timer); resolve(out); });
  });
}

/** perfdhcp instance i's relay address (giaddr) in the client namespace: 10.88.0.2, .3, ... */
const relayAddress = (i: number) => `10.88.0.${2 + i}`;

async function measure(name: string, server: LabNamespace, client: LabNamespace, clientIf: string, serverPid: number, postmasterPid: number | null): Promise<ServerResult> {
  const steps: Step[] = [];
  // Warm-up, not counted: bootd compiles its TypeScript on first use and every server fills its first leases.
  await runPerfdhcp(client, ['-4', '-g', perfdhcpThreads, '-l', clientIf, '-b', 'mac=00:0c:00:00:00:00', '-r', '100', '-p', '2', '-R', String(clients), serverIp], 30_000);
  await sleep(1000);
  for (const rate of rates) {
    const before: CpuUse = { server: cpuSeconds(serverPid), postgres: postgresCpuSeconds(postmasterPid), perfdhcp: cpuSeconds('self', true) };
    const overflowsBefore = { server: udpBufferErrors(server), client: udpBufferErrors(client) };
    const outs = await Promise.all(Array.from({ length: perfdhcpInstances }, (_, i) => runPerfdhcp(client, [
      '-4', '-g', perfdhcpThreads, '-l', perfdhcpInstances === 1 ? clientIf : relayAddress(i), '-b', `mac=00:0c:${i.toString(16).padStart(2, '0')}:00:00:00`,
      '-r', String(Math.round(rate / perfdhcpInstances)), '-p', String(stepSeconds), '-R', String(Math.round(clients / perfdhcpInstances)), '-W', '500000', serverIp,
    ], (stepSeconds + 20) * 1000)));
    const cpu: CpuUse = {
      server: cpuSeconds(serverPid) - before.server,
      postgres: postgresCpuSeconds(postmasterPid) - before.postgres,
      perfdhcp: cpuSeconds('self', true) - before.perfdhcp,
    };
    const step: Step = { ...parsePerfdhcp(outs, rate), cpu, load: fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]! };
    steps.push(step);
    // CPU as a share of one core over the step, and the server's (+ Postgres') CPU per exchange: less
    // sensitive to whatever else runs on the box than the loss ladder is.
    const share = (seconds: number) => `${Math.round((100 * seconds) / stepSeconds)}%`;
    const perExchange = step.acks > 0 ? ` = ${Math.round((1e6 * (cpu.server + cpu.postgres)) / step.acks)} µs/DORA` : '';
    console.log(`  ${name.padEnd(8)} ${String(rate).padStart(6)}/s → achieved ${step.achieved.toFixed(0).padStart(6)}/s, loss ${step.dropPercent.toFixed(2)} %, avg delay ${step.avgDelayMs.toFixed(2)} ms; ` +
      `cpu ${name} ${share(cpu.server)}${postmasterPid !== null ? ` + postgres ${share(cpu.postgres)}` : ''}${perExchange}, perfdhcp ${share(cpu.perfdhcp)}; load ${step.load}${step.ok ? '' : '  ✗'}`);
    if (!step.ok) {
      console.log(`           ${step.exchanges}; receive buffer overflows: server ${udpBufferErrors(server) - overflowsBefore.server}, perfdhcp ${udpBufferErrors(client) - overflowsBefore.client}`);
      // BENCH_ALL_STEPS=1: every rate is run (CPU per exchange at fixed rates, A/B of two builds).
      if (!allSteps) break;
    }
    await sleep(1000);
  }
  // The highest rate of the unbroken run of clean steps from the first.
  const firstFailure = steps.findIndex((s) => !s.ok);
  const clean = firstFailure === -1 ? steps : steps.slice(0, firstFailure);
  return { name, steps, best: clean.at(-1) ?? null };
}

async function waitFor(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not start`);
    await sleep(100);
  }
}

async function main(): Promise<void> {
  const skip = labSkipReason();
  if (skip) { console.log(`benchmark skipped: ${skip}`); return; }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-dhcp-bench-'));
  fs.chmodSync(tmp, 0o755);
  const results: ServerResult[] = [];
  for (const name of servers) {
    // "bootd:KEY=VALUE,KEY=VALUE" runs bootd with those environment settings, "kea:key=value" Kea
    // with those Dhcp4 parameters (e.g. kea:cache-threshold=0.25), so variants share one run.
    const [kind, settings] = name.split(':') as [string, string | undefined];
    const extraEnv = Object.fromEntries((settings ?? '').split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string]));
    const lab = new NetnsLab();
    let child: ChildProcess | null = null;
    let db: Awaited<ReturnType<typeof createTestDatabase>> | null = null;
    try {
      const server = lab.addNamespace('bs');
      const client = lab.addNamespace('bc');
      const { aIf: serverIf, bIf: clientIf } = lab.link(server, `${serverIp}/16`, client, `${clientIp}/16`);
      for (let i = 1; i < perfdhcpInstances; i++) client.exec('ip', ['addr', 'add', `${relayAddress(i)}/16`, 'dev', clientIf]);
      let log = '';
      let postmasterPid: number | null = null;
      if (kind === 'bootd') {
        db = await createTestDatabase('dhcp_bench');
        const pool = new pg.Pool({ connectionString: db.url });
        await pool.query(`INSERT INTO "Network" (id, name, cidr, gateway, "poolStart", "poolEnd", "leaseSeconds", "updatedAt")
          VALUES (gen_random_uuid(), 'bench', '10.88.0.0/16', $1, $2, $3, 3600, now())`, [serverIp, poolStart, poolEnd]);
        const dataDir = await pool.query<{ setting: string }>(`SELECT setting FROM pg_settings WHERE name = 'data_directory'`);
        postmasterPid = Number(fs.readFileSync(path.join(dataDir.rows[0]!.setting, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
        await pool.end();
        // BENCH_BOOTD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to see where bootd's time goes.
        const nodeArgs = (process.env.BENCH_BOOTD_NODE_ARGS ?? '').split(' ').filter(Boolean);
        child = server.spawn('node', [...nodeArgs, '--import', 'tsx', path.join(repoRoot, 'boot-services/main.ts')], {
          cwd: repoRoot,
          env: { ...process.env, ...extraEnv, DATABASE_URL: db.url, FLEETBOOT_BOOT_INTERFACE: serverIf, FLEETBOOT_BOOTD_ADDRESS: serverIp, FLEETBOOT_SERVICES: 'dhcp', FLEETBOOT_BOOTD_STATE_DIR: path.join(tmp, 'bootd') },
        });
      } else if (kind === 'kea') {
        const conf = path.join(tmp, 'kea-dhcp4.json');
        fs.writeFileSync(conf, JSON.stringify({ Dhcp4: {
          'interfaces-config': { interfaces: [serverIf], 'dhcp-socket-type': 'udp' },
          'lease-database': { type: 'memfile', persist: true, name: path.join(tmp, 'kea-leases4.csv'), 'lfc-interval': 0 },
          'valid-lifetime': 3600,
          ...Object.fromEntries(Object.entries(extraEnv).map(([k, v]) => [k, Number.isNaN(Number(v)) ? v : Number(v)])),
          subnet4: [{ id: 1, subnet: '10.88.0.0/16', pools: [{ pool: `${poolStart} - ${poolEnd}` }], 'option-data': [{ name: 'routers', data: serverIp }] }],
          loggers: [{ name: 'kea-dhcp4', output_options: [{ output: path.join(tmp, 'kea.log') }], severity: 'WARN' }],
        } }));
        child = server.spawn('kea-dhcp4', ['-c', conf], { env: { ...process.env, KEA_LOCKFILE_DIR: tmp, KEA_PIDFILE_DIR: tmp } });
      } else if (kind === 'node-floor') {
        // Not a DHCP server: what Node's UDP path alone costs per exchange (node-floor.ts).
        child = server.spawn('node', ['--import', 'tsx', path.join(repoRoot, 'bench/dhcp/node-floor.ts'), serverIp], { cwd: repoRoot });
      } else if (kind === 'dnsmasq') {
        child = server.spawn('dnsmasq', ['--no-daemon', '--port=0', `--interface=${serverIf}`, '--bind-interfaces', '--no-ping', '--quiet-dhcp',
          '--conf-file=/dev/null', `--dhcp-range=${poolStart},${poolEnd},255.255.0.0,3600`, `--dhcp-leasefile=${path.join(tmp, 'dnsmasq.leases')}`,
          '--dhcp-lease-max=10000', `--dhcp-option=option:router,${serverIp}`]);
      } else {
        throw new Error(`unknown server ${name}`);
      }
      // BENCH_SERVER_LOG=<file>: the server's output is appended there (e.g. with BENCH_BOOTD_NODE_ARGS=--trace-gc).
      const serverLog = process.env.BENCH_SERVER_LOG;
      const keep = (d: Buffer) => {
        log += d.toString();
        if (serverLog) fs.appendFileSync(serverLog, d);
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      if (kind === 'bootd') await waitFor(() => log.includes('bootd ready') || child!.exitCode !== null, 'bootd');
      else if (kind === 'node-floor') await waitFor(() => log.includes('node-floor ready') || child!.exitCode !== null, 'node-floor');
      else await sleep(1500);
      if (child.exitCode !== null) throw new Error(`${name} exited: ${log}`);
      console.log(`${name}:`);
      // `ip netns exec` execs the server: the child's pid is the server's.
      results.push(await measure(name, server, client, clientIf, child.pid!, postmasterPid));
      if (kind === 'bootd' && db) {
        const pool = new pg.Pool({ connectionString: db.url });
        const n = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM "Lease" WHERE state = 'bound'`);
        console.log(`  bootd: ${n.rows[0]?.n} bound leases in Postgres after the run`);
        await pool.end();
        // Where the durable work went: group-commit batch size, events per exchange.
        try {
          const text = server.exec('curl', ['-s', '--max-time', '5', 'http://127.0.0.1:9467/metrics']);
          const sum = (metric: string) => text.split('\n').filter((l) => l.startsWith(`${metric} `) || l.startsWith(`${metric}{`)).reduce((t, l) => t + Number(l.split(' ').at(-1)), 0);
          const batches = sum('fleetboot_dhcp_lease_commit_batches_total');
          const bindings = sum('fleetboot_dhcp_lease_commit_batch_bindings_total');
          const acks = sum('fleetboot_dhcp_leases_acked_total');
          const reused = sum('fleetboot_dhcp_leases_reused_total');
          const commitSeconds = sum('fleetboot_dhcp_lease_commit_seconds_sum');
          console.log(`  bootd: ${bindings} bindings in ${batches} group commits (${(bindings / Math.max(batches, 1)).toFixed(1)} a commit, ` +
            `${((1000 * commitSeconds) / Math.max(batches, 1)).toFixed(1)} ms each on average), ${reused} ACKs from reused bindings; ${sum('fleetboot_events_recorded_total')} events for ${acks} ACKs`);
        } catch { /* the status port is optional */ }
      }
    } finally {
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        for (let i = 0; i < 50 && child.exitCode === null; i++) await sleep(100);
      }
      await lab.dispose();
      await db?.drop().catch(() => undefined);
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });

  const rateOf = (n: string) => results.find((r) => r.name === n)?.best?.achieved ?? 0;
  const bootdName = results.find((r) => r.name.startsWith('bootd'))?.name ?? 'bootd';
  console.log(`\n| server | highest rate with < 1 % loss (DORA/s) | avg delay (ms) | ${bootdName} ÷ server |`);
  console.log('|---|---|---|---|');
  for (const r of results) {
    // A server with no clean step is below the lowest rate tried: the ratio is a lower bound.
    const ratio = rateOf(r.name) > 0 ? (rateOf(bootdName) / rateOf(r.name)).toFixed(2) : rateOf(bootdName) > 0 ? `> ${(rateOf(bootdName) / rates[0]!).toFixed(1)}` : 'n/a';
    console.log(`| ${r.name} | ${r.best ? r.best.achieved.toFixed(0) : `< ${rates[0]}`} | ${r.best ? r.best.avgDelayMs.toFixed(2) : '-'} | ${ratio} |`);
  }
  console.log(`\npool ${poolStart}-${poolEnd} (5,120 addresses), ${clients} distinct clients, ${stepSeconds} s per rate step, ${perfdhcpInstances} perfdhcp -g ${perfdhcpThreads}; host: ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
