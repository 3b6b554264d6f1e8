// POST /api/v1/hosts/import: CSV and JSON, all or nothing, a report naming each bad row and
// field, duplicates inside the file and against the database, networks and roles by name.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createHost, createNetwork, createRole, unique, uniqueMac, type Api } from './fixtures.ts';

let app: TestWebApp;
let api: Api;
before(async () => {
  app = await startTestWebApp('api_import');
  api = apiClient(app.url, { cookie: await app.signIn() });
});
after(async () => { await app?.stop(); });

type Problem = { row: number; field: string; error: string };
const problemsOf = (res: { body: any }): Array<[number, string]> => ((res.body?.details?.problems ?? []) as Problem[]).map((p) => [p.row, p.field]);

/** How many hosts have hostnames starting with prefix. */
async function countHosts(prefix: string): Promise<number> {
  const res = await api.get(`/hosts?q=${prefix}&limit=1`);
  return res.body.total;
}

const csv = (lines: string[]) => lines.join('\n') + '\n';

test('a CSV with network and role by name creates every host with its address, role and MAC', async () => {
  const net = await createNetwork(api);
  const role = await createRole(api);
  const p = unique('csv');
  const mac = uniqueMac();
  const res = await api.post('/hosts/import', csv([
    'hostname,mac,ip,network,role,serial,spare',
    `${p}-a,${mac.toUpperCase().replaceAll(':', '-')},${net.at(10)},${net.name},${role.name},SN-1,yes`,
    `${p}-b,,${net.at(11)},${net.name},${role.name},,`,
  ]), 'text/csv');
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const list = await api.get(`/hosts?q=${p}`);
  assert.deepEqual(
    list.body.items.map((h: any) => [h.hostname, h.mac, h.ip, h.networkId, h.roleId, h.spare]),
    [[`${p}-a`, mac, net.at(10), net.id, role.id, true], [`${p}-b`, null, net.at(11), net.id, role.id, false]],
  );
});

test('the import answers how many hosts it created', async () => {
  const p = unique('count');
  const res = await api.post('/hosts/import', csv(['hostname', `${p}-1`, `${p}-2`, `${p}-3`]), 'text/csv');
  assert.deepEqual({ status: res.status, body: res.body }, { status: 201, body: { created: 3 } });
});

test('a JSON array imports like the CSV', async () => {
  const role = await createRole(api);
  const p = unique('json');
  const res = await api.post('/hosts/import', [{ hostname: `${p}-a`, role: role.name, spare: true }, { hostname: `${p}-b`, role: role.name }]);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const list = await api.get(`/hosts?roleId=${role.id}`);
  assert.deepEqual(list.body.items.map((h: any) => [h.hostname, h.spare]), [[`${p}-a`, true], [`${p}-b`, false]]);
});

test('JSON as { "hosts": [...] } is accepted too', async () => {
  const p = unique('wrapped');
  const res = await api.post('/hosts/import', { hosts: [{ hostname: `${p}-a` }] });
  assert.deepEqual({ status: res.status, count: await countHosts(p) }, { status: 201, count: 1 });
});

test('one bad MAC among good rows: 400, the report names its line and mac', async () => {
  const p = unique('bad');
  const res = await api.post('/hosts/import', csv(['hostname,mac', `${p}-1,${uniqueMac()}`, `${p}-2,aa:bb:cc`, `${p}-3,${uniqueMac()}`]), 'text/csv');
  assert.deepEqual({ status: res.status, problems: problemsOf(res) }, { status: 400, problems: [[3, 'mac']] }, JSON.stringify(res.body));
});

test('one bad row: no host of the file is created', async () => {
  const p = unique('none');
  await api.post('/hosts/import', csv(['hostname,mac', `${p}-1,${uniqueMac()}`, `${p}-2,aa:bb:cc`, `${p}-3,${uniqueMac()}`]), 'text/csv');
  assert.equal(await countHosts(p), 0);
});

test('every bad row is reported, not just the first', async () => {
  const p = unique('many');
  const res = await api.post('/hosts/import', csv(['hostname,ip', `${p}-1,10.0.0.300`, `${p}-2,`, `bad_name,`, `${p}-4,1.2.3`]), 'text/csv');
  assert.deepEqual(problemsOf(res), [[2, 'ip'], [4, 'hostname'], [5, 'ip']], JSON.stringify(res.body));
});

test('JSON rows are numbered from 1 in the report', async () => {
  const p = unique('jrow');
  const res = await api.post('/hosts/import', [{ hostname: `${p}-1` }, { hostname: `${p}-2`, ip: 'nope' }]);
  assert.deepEqual(problemsOf(res), [[2, 'ip']], JSON.stringify(res.body));
});

test('an unknown network or role name is reported on its row', async () => {
  const p = unique('names');
  const res = await api.post('/hosts/import', csv(['hostname,network,role', `${p}-1,no-such-net,`, `${p}-2,,no-such-role`]), 'text/csv');
  assert.deepEqual(problemsOf(res), [[2, 'network'], [3, 'role']], JSON.stringify(res.body));
});

test('an address inside the discovery pool is reported on its row as ip', async () => {
  const net = await createNetwork(api);
  const p = unique('pool');
  const res = await api.post('/hosts/import', csv(['hostname,ip,network', `${p}-1,${net.at(10)},${net.name}`, `${p}-2,${net.at(205)},${net.name}`]), 'text/csv');
  assert.deepEqual(problemsOf(res), [[3, 'ip']], JSON.stringify(res.body));
});

test('the same hostname twice in the file (in another case) is reported on the second row', async () => {
  const p = unique('duph');
  const res = await api.post('/hosts/import', csv(['hostname', `${p}-1`, `${p}-2`, `${p}-1`.toUpperCase()]), 'text/csv');
  assert.deepEqual(problemsOf(res), [[4, 'hostname']], JSON.stringify(res.body));
});

test('the same MAC twice in the file (in another spelling) is reported on the second row', async () => {
  const p = unique('dupm');
  const mac = uniqueMac();
  const res = await api.post('/hosts/import', csv(['hostname,mac', `${p}-1,${mac}`, `${p}-2,${mac.toUpperCase().replaceAll(':', '')}`]), 'text/csv');
  assert.deepEqual(problemsOf(res), [[3, 'mac']], JSON.stringify(res.body));
});

test('the same IP twice in the file is reported on the second row', async () => {
  const net = await createNetwork(api);
  const p = unique('dupi');
  const res = await api.post('/hosts/import', csv(['hostname,ip', `${p}-1,${net.at(10)}`, `${p}-2,${net.at(10)}`]), 'text/csv');
  assert.deepEqual(problemsOf(res), [[3, 'ip']], JSON.stringify(res.body));
});

test('the same IP twice, once with the network named and once found by address, is reported', async () => {
  const net = await createNetwork(api);
  const p = unique('dupn');
  const res = await api.post('/hosts/import', csv(['hostname,ip,network', `${p}-1,${net.at(12)},${net.name}`, `${p}-2,${net.at(12)},`]), 'text/csv');
  assert.deepEqual({ status: res.status, problems: problemsOf(res) }, { status: 400, problems: [[3, 'ip']] }, JSON.stringify(res.body));
});

test('a hostname, MAC and IP already in the database are each reported on their row', async () => {
  const net = await createNetwork(api);
  const mac = uniqueMac();
  const existing = await createHost(api, { mac, ip: net.at(50) });
  const p = unique('dupdb');
  const res = await api.post('/hosts/import', csv(['hostname,mac,ip', `${existing.hostname},,`, `${p}-2,${mac.replaceAll(':', '-')},`, `${p}-3,,${net.at(50)}`]), 'text/csv');
  assert.deepEqual(problemsOf(res), [[2, 'hostname'], [3, 'mac'], [4, 'ip']], JSON.stringify(res.body));
});

test('an unknown column is refused, not silently dropped', async () => {
  const p = unique('col');
  const res = await api.post('/hosts/import', csv(['hostname,mac_address', `${p}-1,${uniqueMac()}`]), 'text/csv');
  assert.deepEqual({ status: res.status, field: res.body?.field, created: await countHosts(p) }, { status: 400, field: 'mac_address', created: 0 }, JSON.stringify(res.body));
});

test('an unknown field in a JSON row is reported on its row', async () => {
  const p = unique('jcol');
  const res = await api.post('/hosts/import', [{ hostname: `${p}-1` }, { hostname: `${p}-2`, macc: uniqueMac() }]);
  assert.deepEqual(problemsOf(res), [[2, 'macc']], JSON.stringify(res.body));
});

test('a spare cell that is neither yes nor no is reported on its row, not ignored', async () => {
  const p = unique('flag');
  const res = await api.post('/hosts/import', csv(['hostname,spare', `${p}-1,yes`, `${p}-2,maybe`]), 'text/csv');
  assert.deepEqual(problemsOf(res), [[3, 'spare']], JSON.stringify(res.body));
});

test('a CSV syntax error → 400 naming the body', async () => {
  const res = await api.post('/hosts/import', csv(['hostname,mac', '"web-1,aa:bb:cc:dd:ee:ff']), 'text/csv');
  assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 400, field: 'body' });
});

test('a row with a missing field → 400 naming the body', async () => {
  const res = await api.post('/hosts/import', csv(['hostname,mac', `${unique('short')}`]), 'text/csv');
  assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 400, field: 'body' });
});

test('a header and no rows → 400', async () => {
  assert.equal((await api.post('/hosts/import', 'hostname,mac\n', 'text/csv')).status, 400);
});

test('a text/plain body → 415', async () => {
  assert.equal((await api.post('/hosts/import', 'hostname\nweb-1\n', 'text/plain')).status, 415);
});

test('a JSON object that is not a list of hosts → 400 naming the body', async () => {
  const res = await api.post('/hosts/import', { hostname: 'web-1' });
  assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 400, field: 'body' });
});

test('2,000 hosts from one CSV are all created', async () => {
  const net = await api.post('/networks', { name: unique('big'), cidr: '10.240.0.0/20', gateway: '10.240.0.1' });
  assert.equal(net.status, 201, JSON.stringify(net.body));
  const role = await createRole(api);
  const p = unique('bulk');
  const lines = ['hostname,mac,ip,network,role'];
  for (let i = 0; i < 2000; i++) {
    const hex = i.toString(16).padStart(4, '0');
    lines.push(`${p}-${i},02:fb:00:00:${hex.slice(0, 2)}:${hex.slice(2)},10.240.${Math.floor((i + 10) / 256)}.${(i + 10) % 256},${net.body.name},${role.name}`);
  }
  const res = await api.post('/hosts/import', csv(lines), 'text/csv');
  assert.equal(res.status, 201, JSON.stringify(res.body).slice(0, 500));
  const list = await api.get(`/hosts?roleId=${role.id}&limit=1`);
  assert.equal(list.body.total, 2000);
});
