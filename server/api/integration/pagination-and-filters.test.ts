// List endpoints: walking every page (no duplicates, no gaps, nextCursor null at the end), sort
// orders, and the host filters an operator uses to find machines.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createHost, createNetwork, createRole, sql, unique, uniqueMac, type Api } from './fixtures.ts';

let app: TestWebApp;
let api: Api;
before(async () => {
  app = await startTestWebApp('api_pages');
  api = apiClient(app.url, { cookie: await app.signIn() });
});
after(async () => { await app?.stop(); });

const status = (res: { status: number; body: any }) => ({ status: res.status, field: res.body?.field });

/** Imports n hosts with the role (hostnames <prefix>-0000…), some with IP and MAC as asked. */
async function importHosts(n: number, role: { name: string }, row: (i: number) => Record<string, unknown> = () => ({})) {
  const prefix = unique('pg');
  const hosts = Array.from({ length: n }, (_, i) => ({ hostname: `${prefix}-${String(i).padStart(4, '0')}`, role: role.name, ...row(i) }));
  const res = await api.post('/hosts/import', hosts);
  assert.equal(res.status, 201, JSON.stringify(res.body).slice(0, 500));
  return { prefix, hosts };
}

/** Follows nextCursor from the first page to the last; returns every item and the page sizes. */
async function walk(query: string): Promise<{ items: any[]; pageSizes: number[]; totals: number[] }> {
  const items: any[] = [];
  const pageSizes: number[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const res = await api.get(`/hosts?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    items.push(...res.body.items);
    pageSizes.push(res.body.items.length);
    totals.push(res.body.total);
    cursor = res.body.nextCursor;
    if (cursor === null) return { items, pageSizes, totals };
  }
  throw new Error('more than 100 pages: the cursor never ends');
}

test('250 hosts in pages of 100: 100, 100, 50, every host once, in hostname order, nextCursor null at the end', async () => {
  const role = await createRole(api);
  const { hosts } = await importHosts(250, role);
  const { items, pageSizes } = await walk(`roleId=${role.id}&limit=100`);
  assert.deepEqual({ pageSizes, hostnames: items.map((h) => h.hostname) }, { pageSizes: [100, 100, 50], hostnames: hosts.map((h) => h.hostname) });
});

test('every page reports the total of the filter, not of the page', async () => {
  const role = await createRole(api);
  await importHosts(30, role);
  const { totals } = await walk(`roleId=${role.id}&limit=12`);
  assert.deepEqual(totals, [30, 30, 30]);
});

test('order=desc walks the same hosts in reverse', async () => {
  const role = await createRole(api);
  const { hosts } = await importHosts(25, role);
  const { items } = await walk(`roleId=${role.id}&limit=10&order=desc`);
  assert.deepEqual(items.map((h) => h.hostname), hosts.map((h) => h.hostname).reverse());
});

test('sorted by IP, with hosts that have no IP yet, pages still hold every host once', async () => {
  const role = await createRole(api);
  const net = await createNetwork(api);
  // Even rows get an address, odd rows wait for one: the sort column is NULL for half.
  await importHosts(40, role, (i) => (i % 2 === 0 ? { ip: net.at(10 + i) } : {}));
  const { items } = await walk(`roleId=${role.id}&limit=7&sort=ip`);
  assert.deepEqual({ count: items.length, distinct: new Set(items.map((h) => h.id)).size }, { count: 40, distinct: 40 });
});

test('sorted by IP, addresses come in numeric order (10.x.y.9 before 10.x.y.10)', async () => {
  const role = await createRole(api);
  const net = await createNetwork(api);
  await importHosts(3, role, (i) => ({ ip: net.at([100, 9, 20][i]!) }));
  const res = await api.get(`/hosts?roleId=${role.id}&sort=ip`);
  assert.deepEqual(res.body.items.map((h: any) => h.ip), [net.at(9), net.at(20), net.at(100)]);
});

test('sorted by state with many hosts in one state, pages hold every host once', async () => {
  const role = await createRole(api);
  const { prefix } = await importHosts(45, role);
  await sql(app, `UPDATE "Host" SET state = 'up' WHERE hostname LIKE $1 AND right(hostname, 1) IN ('1', '5')`, [`${prefix}-%`]);
  const { items } = await walk(`roleId=${role.id}&limit=8&sort=state`);
  assert.deepEqual({ count: items.length, distinct: new Set(items.map((h) => h.id)).size }, { count: 45, distinct: 45 });
});

test('sorted by last seen, where most hosts were never seen, pages hold every host once', async () => {
  const role = await createRole(api);
  const { prefix } = await importHosts(20, role);
  await sql(app, `UPDATE "Host" SET "lastSeenAt" = now() - (right(hostname, 2)::int * interval '1 minute') WHERE hostname LIKE $1 AND right(hostname, 1) IN ('0', '3')`, [`${prefix}-%`]);
  const { items } = await walk(`roleId=${role.id}&limit=6&sort=lastSeenAt&order=desc`);
  assert.deepEqual({ count: items.length, distinct: new Set(items.map((h) => h.id)).size }, { count: 20, distinct: 20 });
  // Newest first, and the never-seen hosts after every seen one (not before them, as NULLs sort by default).
  const seen = items.filter((h) => h.lastSeenAt !== null);
  assert.equal(seen.length, 4);
  assert.deepEqual(items.slice(0, 4).map((h) => h.id), seen.map((h) => h.id));
  const times = seen.map((h) => Date.parse(h.lastSeenAt as string));
  assert.deepEqual(times, [...times].sort((a, b) => b - a));
});

test('sorted by last seen ascending (never-seen hosts last), pages hold every host once', async () => {
  const role = await createRole(api);
  const { prefix } = await importHosts(20, role);
  await sql(app, `UPDATE "Host" SET "lastSeenAt" = now() - (right(hostname, 2)::int * interval '1 minute') WHERE hostname LIKE $1 AND right(hostname, 1) IN ('0', '3')`, [`${prefix}-%`]);
  const { items } = await walk(`roleId=${role.id}&limit=6&sort=lastSeenAt`);
  assert.deepEqual({ count: items.length, distinct: new Set(items.map((h) => h.id)).size }, { count: 20, distinct: 20 });
});

for (const sort of ['hostname', 'ip', 'state', 'createdAt']) {
  test(`sort=${sort}: deleting the last host of a page before fetching the next does not end the walk`, async () => {
    const role = await createRole(api);
    const net = await createNetwork(api);
    const { hosts } = await importHosts(9, role, (i) => ({ ip: net.at(10 + i) }));
    const first = await api.get(`/hosts?roleId=${role.id}&limit=3&sort=${sort}`);
    const deleted = first.body.items[2];
    assert.equal((await api.delete(`/hosts/${deleted.id}`)).status, 204);
    const seen: string[] = first.body.items.map((h: any) => h.hostname);
    let cursor: string | null = first.body.nextCursor;
    while (cursor) {
      const res: { body: any } = await api.get(`/hosts?roleId=${role.id}&limit=3&sort=${sort}&cursor=${encodeURIComponent(cursor)}`);
      seen.push(...res.body.items.map((h: any) => h.hostname));
      cursor = res.body.nextCursor;
    }
    assert.deepEqual(seen.sort(), hosts.map((h) => h.hostname).sort());
  });
}

test('a garbage cursor → 400 naming cursor', async () => {
  assert.deepEqual(status(await api.get('/hosts?cursor=not-a-cursor!')), { status: 400, field: 'cursor' });
});

test('a well-formed cursor naming no UUID → 400 naming cursor', async () => {
  const forged = Buffer.from(JSON.stringify({ id: 'web-01' })).toString('base64url');
  assert.deepEqual(status(await api.get(`/hosts?cursor=${forged}`)), { status: 400, field: 'cursor' });
});

const badQueries: Array<[string, string]> = [
  ['limit=0', 'limit'],
  ['limit=501', 'limit'],
  ['limit=ten', 'limit'],
  ['order=up', 'order'],
  ['sort=mac', 'sort'],
  ['state=sleeping', 'state'],
  ['spare=maybe', 'spare'],
  ['hasMac=no', 'hasMac'],
  ['roleId=web', 'roleId'],
  ['networkId=lab', 'networkId'],
];

for (const [query, field] of badQueries) {
  test(`GET /hosts?${query} → 400 naming ${field}`, async () => {
    assert.deepEqual(status(await api.get(`/hosts?${query}`)), { status: 400, field });
  });
}

// Filters: each test makes its own role so that other tests' hosts don't count.
async function ids(query: string): Promise<string[]> {
  const res = await api.get(`/hosts?${query}&limit=500`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items.map((h: any) => h.hostname).sort();
}

test('q finds a host by part of its hostname', async () => {
  const role = await createRole(api);
  const a = await createHost(api, { roleId: role.id, hostname: unique('findweb') });
  await createHost(api, { roleId: role.id });
  assert.deepEqual(await ids(`roleId=${role.id}&q=${a.hostname.slice(0, -1).toUpperCase()}`), [a.hostname]);
});

test('q finds a host by its MAC written with colons', async () => {
  const role = await createRole(api);
  const mac = uniqueMac();
  const a = await createHost(api, { roleId: role.id, mac });
  await createHost(api, { roleId: role.id, mac: uniqueMac() });
  assert.deepEqual(await ids(`roleId=${role.id}&q=${encodeURIComponent(mac.toUpperCase())}`), [a.hostname]);
});

test('q finds a host by its MAC written with dashes, as on a BMC label', async () => {
  const role = await createRole(api);
  const mac = uniqueMac();
  const a = await createHost(api, { roleId: role.id, mac });
  await createHost(api, { roleId: role.id, mac: uniqueMac() });
  assert.deepEqual(await ids(`roleId=${role.id}&q=${mac.toUpperCase().replaceAll(':', '-')}`), [a.hostname]);
});

test('q finds hosts by the start of their IP', async () => {
  const role = await createRole(api);
  const net = await createNetwork(api);
  const a = await createHost(api, { roleId: role.id, ip: net.at(77) });
  await createHost(api, { roleId: role.id, ip: net.at(88) });
  assert.deepEqual(await ids(`roleId=${role.id}&q=${net.at(77)}`), [a.hostname]);
});

test('q finds a host by its serial number, in any case', async () => {
  const role = await createRole(api);
  const serial = unique('SN').toUpperCase();
  const a = await createHost(api, { roleId: role.id, serial });
  await createHost(api, { roleId: role.id, serial: unique('SN') });
  assert.deepEqual(await ids(`roleId=${role.id}&q=${serial.toLowerCase()}`), [a.hostname]);
});

test('q is matched literally: an underscore in a serial is not a wildcard', async () => {
  const role = await createRole(api);
  const tag = unique('SN').toUpperCase().replaceAll('-', '');
  const a = await createHost(api, { roleId: role.id, serial: `${tag}_7` });
  await createHost(api, { roleId: role.id, serial: `${tag}X7` });
  assert.deepEqual(await ids(`roleId=${role.id}&q=${tag}_7`), [a.hostname]);
});

test('q=% finds no host (a percent sign is not a wildcard)', async () => {
  const role = await createRole(api);
  await createHost(api, { roleId: role.id });
  assert.deepEqual(await ids(`roleId=${role.id}&q=%25`), []);
});

test('roleId keeps only the hosts of that role', async () => {
  const role = await createRole(api);
  const other = await createRole(api);
  const a = await createHost(api, { roleId: role.id });
  await createHost(api, { roleId: other.id });
  assert.deepEqual(await ids(`roleId=${role.id}`), [a.hostname]);
});

test('networkId keeps only the hosts on that network', async () => {
  const net = await createNetwork(api);
  const other = await createNetwork(api);
  const a = await createHost(api, { ip: net.at(40) });
  await createHost(api, { ip: other.at(40) });
  assert.deepEqual(await ids(`networkId=${net.id}`), [a.hostname]);
});

test('state keeps only the hosts in that state', async () => {
  const role = await createRole(api);
  const a = await createHost(api, { roleId: role.id });
  await createHost(api, { roleId: role.id });
  await sql(app, `UPDATE "Host" SET state = 'failed' WHERE id = $1`, [a.id]);
  assert.deepEqual(await ids(`roleId=${role.id}&state=failed`), [a.hostname]);
});

test('spare=true keeps the spares, spare=false the others', async () => {
  const role = await createRole(api);
  const spare = await createHost(api, { roleId: role.id, spare: true });
  const regular = await createHost(api, { roleId: role.id });
  assert.deepEqual({ spare: await ids(`roleId=${role.id}&spare=true`), regular: await ids(`roleId=${role.id}&spare=false`) }, { spare: [spare.hostname], regular: [regular.hostname] });
});

test('hasMac=false lists the hosts waiting for hardware', async () => {
  const role = await createRole(api);
  const waiting = await createHost(api, { roleId: role.id });
  await createHost(api, { roleId: role.id, mac: uniqueMac() });
  assert.deepEqual(await ids(`roleId=${role.id}&hasMac=false`), [waiting.hostname]);
});

test('filters combine: role, spare and waiting for hardware together', async () => {
  const role = await createRole(api);
  const match = await createHost(api, { roleId: role.id, spare: true });
  await createHost(api, { roleId: role.id, spare: true, mac: uniqueMac() });
  await createHost(api, { roleId: role.id });
  assert.deepEqual(await ids(`roleId=${role.id}&spare=true&hasMac=false`), [match.hostname]);
});

test('network and role lists walk their pages too', async () => {
  const tag = unique('walk');
  for (let i = 0; i < 7; i++) await createRole(api, { name: `${tag}-${i}` });
  const names: string[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: any } = await api.get(`/roles?q=${tag}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    names.push(...res.body.items.map((r: any) => r.name));
    cursor = res.body.nextCursor;
  } while (cursor);
  assert.deepEqual(names, Array.from({ length: 7 }, (_, i) => `${tag}-${i}`));
});
