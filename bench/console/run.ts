// Console benchmark (issue 20): see run.sh. One ipmi_sim BMC and serial line per host (a BMC
// serves one SOL session); each round writes a stamped line to every host's serial line at once
// and measures when each client sees it. Bounded: BENCH_ROUNDS rounds, 5 s per round at most.
import fs from 'node:fs';
import WebSocket from 'ws';
import { createHost } from '../../server/api/integration/fixtures.ts';
import { startIpmiSim, type IpmiSim } from '../../server/power/testing/ipmi-sim-lab.ts';
import { startSerialLine, type SerialLine } from '../../server/console/testing/serial-line.ts';
import { openSolLink, type SolLink } from '../../server/console/sol-link.ts';
import { apiClient, startTestWebApp } from '../../server/testing/web-app.ts';

const sessionsAtScale = Number(process.env.BENCH_SESSIONS ?? 50);
const rounds = Number(process.env.BENCH_ROUNDS ?? 40);
const pct = (v: number[], p: number) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

interface Bmc { sim: IpmiSim; line: SerialLine }
const bmcs: Bmc[] = [];
for (let i = 0; i < sessionsAtScale; i++) {
  const line = await startSerialLine();
  const sim = await startIpmiSim({ solSerialPort: line.bmcPort });
  bmcs.push({ sim, line });
}
await Promise.all(bmcs.map((b) => b.line.bmcConnected(15_000)));
const app = await startTestWebApp('bench_console');

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}
function childrenRssKiB(pid: number): number {
  let total = 0;
  for (const dir of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${dir}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) total += rssKiB(Number(dir)) + childrenRssKiB(Number(dir));
    } catch { /* gone */ }
  }
  return total;
}

/** Latency of a stamped line from each serial line to each reader, `rounds` times. */
async function measure(readers: Array<{ bmc: Bmc; onText: (fn: (text: string) => void) => void }>): Promise<number[]> {
  const samples: number[] = [];
  const waiting = new Map<string, number>();
  for (const r of readers) r.onText((text) => {
    for (const m of text.matchAll(/<(\d+):(\d+)>/g)) {
      const key = `${m[1]}:${m[2]}`;
      const sent = waiting.get(key);
      if (sent !== undefined) {
        samples.push(performance.now() - sent);
        waiting.delete(key);
      }
    }
  });
  for (let round = 0; round < rounds; round++) {
    readers.forEach((r, i) => {
      waiting.set(`${round}:${i}`, performance.now());
      r.bmc.line.write(`<${round}:${i}>\r\n`);
    });
    const deadline = Date.now() + 5_000;
    while ([...waiting.keys()].some((k) => k.startsWith(`${round}:`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
  }
  return samples;
}

async function viaWeb(count: number) {
  const cookie = await app.signIn();
  const api = apiClient(app.url, { cookie });
  const sockets: WebSocket[] = [];
  const readers = [];
  const rssBefore = rssKiB(app.web.pid);
  for (let i = 0; i < count; i++) {
    const host = await createHost(api, { bmcAddress: bmcs[i]!.sim.address, bmcUser: bmcs[i]!.sim.user, bmcPassword: bmcs[i]!.sim.password });
    const ws = new WebSocket(`${app.url.replace('http', 'ws')}/api/v1/hosts/${host.id}/console`, { headers: { cookie, origin: app.url } });
    let open = false;
    const listeners: Array<(t: string) => void> = [];
    ws.on('message', (data, binary) => {
      if (binary) for (const l of listeners) l((data as Buffer).toString('latin1'));
      else if ((JSON.parse(String(data)) as { state?: string }).state === 'open') open = true;
    });
    sockets.push(ws);
    readers.push({ bmc: bmcs[i]!, onText: (fn: (t: string) => void) => listeners.push(fn), isOpen: () => open });
  }
  const deadline = Date.now() + 60_000;
  while (readers.some((r) => !r.isOpen()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const samples = await measure(readers);
  const webKiB = rssKiB(app.web.pid) - rssBefore;
  const childKiB = childrenRssKiB(app.web.pid);
  for (const ws of sockets) ws.close();
  await new Promise((r) => setTimeout(r, 20_000)); // the links close 15 s after their last viewer
  return { samples, perSessionKiB: (webKiB + childKiB) / count, webKiB, childKiB, opened: readers.filter((r) => r.isOpen()).length };
}

async function viaIpmitool(count: number) {
  const links: SolLink[] = [];
  const readers = [];
  for (let i = 0; i < count; i++) {
    const link = await openSolLink({ address: bmcs[i]!.sim.address, user: bmcs[i]!.sim.user, password: bmcs[i]!.sim.password });
    await new Promise<void>((resolve) => link.once('open', () => resolve()));
    links.push(link);
    readers.push({ bmc: bmcs[i]!, onText: (fn: (t: string) => void) => link.on('data', (b) => fn(b.toString('latin1'))) });
  }
  const samples = await measure(readers);
  await Promise.all(links.map((l) => l.close()));
  return { samples };
}

const row = (name: string, s: number[], ref: number[]) =>
  `| ${name} | ${s.length} | ${pct(s, 50).toFixed(1)} | ${pct(s, 95).toFixed(1)} | ${(pct(s, 50) / pct(ref, 50)).toFixed(2)}x | ${(pct(s, 95) / pct(ref, 95)).toFixed(2)}x |`;
try {
  console.log(`load: ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}`);
  const ref1 = await viaIpmitool(1);
  const web1 = await viaWeb(1);
  const refN = await viaIpmitool(sessionsAtScale);
  const webN = await viaWeb(sessionsAtScale);
  console.log('| path | samples | p50 ms | p95 ms | p50 vs ipmitool | p95 vs ipmitool |\n|---|---|---|---|---|---|');
  console.log(`| ipmitool sol activate, 1 session | ${ref1.samples.length} | ${pct(ref1.samples, 50).toFixed(1)} | ${pct(ref1.samples, 95).toFixed(1)} | 1x | 1x |`);
  console.log(row('web WebSocket, 1 session', web1.samples, ref1.samples));
  console.log(`| ipmitool sol activate, ${sessionsAtScale} sessions | ${refN.samples.length} | ${pct(refN.samples, 50).toFixed(1)} | ${pct(refN.samples, 95).toFixed(1)} | 1x | 1x |`);
  console.log(row(`web WebSocket, ${sessionsAtScale} sessions`, webN.samples, refN.samples));
  console.log(`sessions opened: ${web1.opened}/1, ${webN.opened}/${sessionsAtScale}; expected samples ${rounds} and ${rounds * sessionsAtScale}`);
  console.log(`memory per open session at ${sessionsAtScale}: ${webN.perSessionKiB.toFixed(0)} KiB (web process +${webN.webKiB} KiB, its ipmitool/stdbuf children ${webN.childKiB} KiB)`);
} finally {
  await app.stop();
  for (const b of bmcs) {
    await b.sim.stop();
    await b.line.stop();
  }
}
