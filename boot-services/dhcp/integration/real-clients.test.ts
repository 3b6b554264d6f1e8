// Debian's DHCP clients against the real bootd process, inside network namespaces: udhcpc,
// dhclient, dhcrelay, a raw probe, and a second DHCP server (dnsmasq) on the same link.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getIpOption, getMessageType } from '../codec.ts';
import { DhcpOption, MessageType } from '../../../lib/dhcp/options.ts';
import { DhcpLab, dhcpLabForFile, ids, macs, rawRequest, replies, serverAddress, sleep } from './dhcp-lab.ts';

let lab: DhcpLab;
const skip = dhcpLabForFile((l) => { lab = l; });

const pxe = ['-V', 'PXEClient:Arch:00000:UNDI:002001', '-x', '0x5d:0000', '-O', '66', '-O', '67'];

test('udhcpc (PXE options) gets the reservation, mask, router, DNS, domain, hostname and pxelinux.0', { skip }, () => {
  const r = lab.udhcpc(lab.addClient(macs.web01), pxe);
  assert.equal(r.env.ip, '10.66.0.11', r.log + lab.bootdLog);
  assert.equal(r.env.subnet, '255.255.255.0');
  assert.equal(r.env.router, '10.66.0.254');
  assert.equal(r.env.dns, '10.66.0.53 10.66.0.54');
  assert.equal(r.env.domain, 'lab.example');
  assert.equal(r.env.hostname, 'web01');
  assert.equal(r.env.boot_file, 'pxelinux.0');
  assert.equal(r.env.siaddr, serverAddress);
  assert.equal(r.env.serverid, serverAddress);
});

test('dhclient gets its reservation and settings', { skip }, async () => {
  const r = await lab.dhclient(lab.addClient(macs.web02));
  assert.equal(r.env.new_ip_address, '10.66.0.12', r.log);
  assert.equal(r.env.new_subnet_mask, '255.255.255.0');
  assert.equal(r.env.new_routers, '10.66.0.254');
  assert.equal(r.env.new_domain_name_servers, '10.66.0.53 10.66.0.54');
  assert.equal(r.env.new_host_name, 'web02');
  assert.equal(r.env.new_domain_name, 'lab.example');
});

test('dhclient INIT-REBOOT with a wrong remembered address is NAKed, then gets the right one', { skip }, async () => {
  const client = lab.addClient(macs.web02);
  const staleLease = `lease {\n  interface "${client.iface}";\n  fixed-address 10.66.0.77;\n  option subnet-mask 255.255.255.0;\n  option dhcp-server-identifier ${serverAddress};\n  renew 4 2037/01/01 00:00:00;\n  rebind 4 2037/01/01 00:00:00;\n  expire 4 2037/01/01 00:00:00;\n}\n`;
  const r = await lab.dhclient(client, { leaseFile: staleLease });
  assert.match(r.log, /DHCPREQUEST for 10\.66\.0\.77/);
  assert.match(r.log, /DHCPNAK from 10\.66\.0\.1/);
  assert.equal(r.env.new_ip_address, '10.66.0.12');
});

test('an unknown MAC gets a pool lease written to Postgres; renew and release reach the table', { skip }, async () => {
  const mac = '52:54:00:66:10:01';
  const d = lab.udhcpcDaemon(lab.addClient(mac));
  try {
    let r = d.read();
    for (let i = 0; i < 100 && !r.events.includes('bound'); i++) { await sleep(100); r = d.read(); }
    assert.ok(r.events.includes('bound'), r.log);
    const ip = r.env.ip!;
    assert.match(ip, /^10\.66\.0\.(1[01]\d|120)$/);
    const lease = await lab.pool.query<{ ip: string; state: string }>(`SELECT ip, state::text FROM "Lease" WHERE mac = $1`, [mac]);
    assert.deepEqual(lease.rows, [{ ip, state: 'bound' }]);
    // The unknown machine is in the console's discovery list, with the address it was given.
    let discovered: Array<{ ip: string | null; networkId: string | null }> = [];
    for (let i = 0; i < 30 && discovered[0]?.ip !== ip; i++) {
      discovered = (await lab.pool.query<{ ip: string | null; networkId: string | null }>(`SELECT ip, "networkId" FROM "DiscoveredMachine" WHERE mac = $1`, [mac])).rows;
      if (discovered[0]?.ip !== ip) await sleep(100);
    }
    assert.deepEqual(discovered, [{ ip, networkId: ids.lab }]);
    const before = await lab.pool.query<{ e: Date }>(`SELECT "expiresAt" AS e FROM "Lease" WHERE mac = $1`, [mac]);
    await sleep(1100);
    d.signal('SIGUSR1'); // BusyBox: renew now (unicast REQUEST with ciaddr)
    for (let i = 0; i < 50 && !d.read().events.includes('renew'); i++) await sleep(100);
    assert.ok(d.read().events.includes('renew'), d.read().log);
    const renewed = await lab.pool.query<{ e: Date }>(`SELECT "expiresAt" AS e FROM "Lease" WHERE mac = $1`, [mac]);
    assert.ok(renewed.rows[0]!.e > before.rows[0]!.e, 'renewal did not extend the lease');
    d.signal('SIGUSR2'); // BusyBox: release
    let state = '';
    for (let i = 0; i < 50 && state !== 'released'; i++) {
      await sleep(100);
      state = (await lab.pool.query<{ s: string }>(`SELECT state::text AS s FROM "Lease" WHERE mac = $1`, [mac])).rows[0]?.s ?? '';
    }
    assert.equal(state, 'released');
  } finally {
    d.child.kill('SIGKILL');
  }
});

test('a host marked not to boot gets no offer, and the timeline says why', { skip }, async () => {
  const r = lab.udhcpc(lab.addClient(macs.off01), ['-t', '2'], 8000);
  assert.equal(r.env.ip, undefined);
  assert.ok(lab.metric('fleetboot_dhcp_packets_total', { type: 'discover', result: 'ignored', reason: 'boot-disabled' }) >= 1);
  let events: Array<{ type: string }> = [];
  for (let i = 0; i < 25 && events.length === 0; i++) {
    await sleep(200);
    events = (await lab.pool.query<{ type: string }>(
      `SELECT type FROM "BootEvent" WHERE "hostId" = $1 AND type = 'dropped' AND detail->>'reason' = 'boot-disabled'`, [ids.off01])).rows;
  }
  assert.equal(events.length, 1, `want one "dropped: boot-disabled" event for the host (one per client and reason, however often it retries); bootd log: ${lab.bootdLog.slice(-1500)}`);
});


const ip4 = (s: string) => Buffer.from(s.split('.').map(Number));

test('with dnsmasq on the same link, a REQUEST selecting dnsmasq gets no answer from bootd', { skip }, async () => {
  const rogue = lab.addClient('52:54:00:66:20:fe', '10.66.0.3/24');
  const mac = '52:54:00:66:20:01';
  const leases = `${lab.tmp}/dnsmasq.leases`;
  rogue.ns.spawn('dnsmasq', ['--no-daemon', '--port=0', `--interface=${rogue.iface}`, '--bind-interfaces', '--no-ping', '--conf-file=/dev/null',
    `--dhcp-leasefile=${leases}`, '--dhcp-range=10.66.0.200,10.66.0.210,255.255.255.0,120', `--dhcp-host=${mac},10.66.0.201`, '--dhcp-ignore=tag:!known']);
  await sleep(1000);
  const probe = lab.addClient(mac, '10.66.0.150/24');
  // The known web01 keeps getting its reservation from bootd: dnsmasq ignores MACs it doesn't know.
  assert.equal(lab.udhcpc(lab.addClient(macs.web01)).env.ip, '10.66.0.11');
  // The probe's MAC is known to dnsmasq: both servers offer.
  const offers = replies(lab.probe(probe, { mode: 'exchange', to: '255.255.255.255', port: 67, listenPort: 68, listenMs: 1500, packets: [rawRequest(MessageType.Discover, mac, [], 0x1001)] }));
  const servers = offers.map((o) => getIpOption(o.packet, DhcpOption.ServerIdentifier)).sort();
  assert.deepEqual(servers, ['10.66.0.1', '10.66.0.3']);
  const before = lab.metric('fleetboot_dhcp_packets_total', { type: 'request', reason: 'other-server' });
  const acks = replies(lab.probe(probe, { mode: 'exchange', to: '255.255.255.255', port: 67, listenPort: 68, listenMs: 1500,
    packets: [rawRequest(MessageType.Request, mac, [[DhcpOption.ServerIdentifier, ip4('10.66.0.3')], [DhcpOption.RequestedIpAddress, ip4('10.66.0.201')]], 0x1002)] }));
  assert.deepEqual(acks.map((a) => [getIpOption(a.packet, DhcpOption.ServerIdentifier), getMessageType(a.packet)]), [['10.66.0.3', MessageType.Ack]]);
  assert.equal(lab.metric('fleetboot_dhcp_packets_total', { type: 'request', reason: 'other-server' }), before + 1);
});

test('a client behind dhcrelay in a third namespace gets an address of its own subnet', { skip }, async () => {
  const relay = lab.netns.addNamespace('r');
  lab.netns.attachToBridge(lab.server, lab.bridge, relay, '10.66.0.254/24');
  const remote = lab.netns.addNamespace('x');
  const { aIf: relayRemoteIf, bIf: remoteIf } = lab.netns.link(relay, '10.77.0.1/24', remote, null);
  lab.server.exec('ip', ['route', 'add', '10.77.0.0/24', 'via', '10.66.0.254']);
  const relayUpIf = relay.exec('ip', ['-o', 'link', 'show']).split('\n').map((l) => l.split(': ')[1]?.split('@')[0]).find((n) => n && n !== 'lo' && n !== relayRemoteIf)!;
  relay.spawn('dhcrelay', ['-d', '-4', '-iu', relayUpIf, '-id', relayRemoteIf, serverAddress]);
  await sleep(1000);
  const r = lab.udhcpc({ ns: remote, iface: remoteIf }, pxe);
  assert.match(r.env.ip ?? '', /^10\.77\.0\.(1[01]\d|120)$/, r.log + lab.bootdLog.slice(-2000));
  assert.equal(r.env.router, '10.77.0.1');
  assert.equal(r.env.domain, 'remote.example');
  const lease = await lab.pool.query<{ n: string }>(`SELECT "networkId" AS n FROM "Lease" WHERE ip = $1`, [r.env.ip]);
  assert.equal(lease.rows[0]?.n, ids.remote);
});

test('a reservation changed in the database applies at the next DORA, no restart', { skip }, async () => {
  await lab.pool.query(`UPDATE "Host" SET ip = '10.66.0.42', "updatedAt" = now() WHERE id = $1`, [ids.web01]);
  let ip: string | undefined;
  for (let attempt = 0; attempt < 10 && ip !== '10.66.0.42'; attempt++) {
    await sleep(300);
    ip = lab.udhcpc(lab.addClient(macs.web01)).env.ip;
  }
  assert.equal(ip, '10.66.0.42');
  await lab.pool.query(`UPDATE "Host" SET ip = '10.66.0.11', "updatedAt" = now() WHERE id = $1`, [ids.web01]);
});

test('two clients racing for the last pool address never get the same one', { skip }, async () => {
  // Shrink the pool to one free address (the others are taken by earlier tests or reserved).
  await lab.pool.query(`UPDATE "Network" SET "poolStart" = '10.66.0.130', "poolEnd" = '10.66.0.130', "updatedAt" = now() WHERE id = $1`, [ids.lab]);
  await sleep(1500);
  const a = lab.addClient('52:54:00:66:30:0a');
  const b = lab.addClient('52:54:00:66:30:0b');
  const da = lab.udhcpcDaemon(a, ['-n', '-q', '-t', '3']);
  const db = lab.udhcpcDaemon(b, ['-n', '-q', '-t', '3']);
  try {
    await Promise.all([da, db].map((d) => new Promise((r) => { if (d.child.exitCode !== null) r(null); else d.child.once('exit', r); })));
    const got = [da.read().env.ip, db.read().env.ip].filter(Boolean);
    assert.deepEqual(got, ['10.66.0.130'], `addresses: ${JSON.stringify(got)}`);
    const rows = await lab.pool.query(`SELECT mac FROM "Lease" WHERE ip = '10.66.0.130' AND state = 'bound'`);
    assert.equal(rows.rows.length, 1);
    assert.ok(lab.metric('fleetboot_dhcp_pool_exhausted_total', {}) >= 1);
  } finally {
    da.child.kill('SIGKILL');
    db.child.kill('SIGKILL');
    await lab.pool.query(`UPDATE "Network" SET "poolStart" = '10.66.0.100', "poolEnd" = '10.66.0.120', "updatedAt" = now() WHERE id = $1`, [ids.lab]);
  }
});
