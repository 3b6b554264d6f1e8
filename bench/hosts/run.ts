// Hosts list benchmark (issue: p95 < 300 ms for a page of 100 hosts with a filter, at 10,000
// hosts). Seeds through the real bulk-import API, then times the API and the server-rendered
// hosts page over loopback. Run: bash bench/hosts/run.sh
import { performance } from 'node:perf_hooks';
import { apiClient, startTestWebApp } from '../../server/testing/web-app.ts';
import { timeGets } from '../latency.ts';

const hostCount = Number(process.env.BENCH_HOSTS ?? 10_000);
const requests = Number(process.env.BENCH_REQUESTS ?? 200);

const time = (label: string, url: string, cookie: string) => timeGets(label, url, { cookie }, requests);

const app = await startTestWebApp('bench_hosts');
try {
  const cookie = await app.signIn();
  const api = apiClient(app.url, { cookie });
  const net = await api.post('/networks', { name: 'bench', cidr: '10.0.0.0/16' });
  const roles = await Promise.all(['web', 'db', 'lvs', 'cache'].map((name) => api.post('/roles', { name })));
  const t0 = performance.now();
  const chunk = 2000;
  for (let start = 0; start < hostCount; start += chunk) {
    const rows = ['hostname,mac,ip,network,role,serial'];
    for (let i = start; i < Math.min(start + chunk, hostCount); i++) {
      const mac = (0x020000000000 + i).toString(16).padStart(12, '0').match(/../g)!.join(':');
      const ip = `10.0.${Math.floor((i + 256) / 250)}.${((i + 256) % 250) + 2}`;
      rows.push(`${['web', 'db', 'lvs', 'cache'][i % 4]}-${String(i).padStart(5, '0')},${i % 10 === 0 ? '' : mac},${ip},bench,${['web', 'db', 'lvs', 'cache'][i % 4]},SN${i}`);
    }
    const res = await api.post('/hosts/import', rows.join('\n'), 'text/csv');
    if (res.status !== 201) throw new Error(`import failed: ${JSON.stringify(res.body).slice(0, 500)}`);
  }
  const seedSeconds = (performance.now() - t0) / 1000;
  const roleId = roles[1]!.body.id as string;
  const results = [
    await time('API page 1, no filter', `${app.url}/api/v1/hosts?limit=100`, cookie),
    await time('API page 1, role filter', `${app.url}/api/v1/hosts?limit=100&roleId=${roleId}`, cookie),
    await time('API page 1, search "db-01"', `${app.url}/api/v1/hosts?limit=100&q=db-01`, cookie),
    await time('API waiting for hardware', `${app.url}/api/v1/hosts?limit=100&hasMac=false&networkId=${net.body.id}`, cookie),
    await time('hosts page, role filter', `${app.url}/hosts?roleId=${roleId}`, cookie),
    await time('hosts page, search', `${app.url}/hosts?q=web-00`, cookie),
  ];
  console.log(`\nhosts: ${hostCount}, seeded through /api/v1/hosts/import in ${seedSeconds.toFixed(1)} s; ${requests} sequential requests each\n`);
  console.log('| request | p50 ms | p95 ms | max ms | target p95 < 300 ms |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of results) console.log(`| ${r.label} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} | ${r.p95 < 300 ? 'met' : 'MISSED'} (${(r.p95 / 300).toFixed(2)}× of budget) |`);
} finally {
  await app.stop();
}
