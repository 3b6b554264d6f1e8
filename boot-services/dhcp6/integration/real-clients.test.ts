// DHCPv6 against Debian's real clients, inside network namespaces: ISC dhclient -6 (DUID-LLT and
// DUID-LL, rapid commit, renew, release) on bootd's link, and relayed through ISC dhcrelay -6.
// Then the boot files over IPv6: tftp-hpa and curl from bootd's IPv6 address; and hosts' logs
// over IPv6: util-linux logger to bootd's syslog on its IPv6 address.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { dhcpLabSkipReason, ids, macs, sleep } from '../../dhcp/integration/dhcp-lab.ts';
import type { LabNamespace } from '../../testing/netns-lab.ts';
import { Dhcp6Lab, pool6, serverAddress6 } from './dhcp6-lab.ts';

function skipReason(): string | null {
  const base = dhcpLabSkipReason();
  if (base) return base;
  try { execFileSync('which', ['dhcrelay'], { stdio: 'ignore' }); } catch { return 'dhcrelay (isc-dhcp-relay) is not installed'; }
  try { execFileSync('logger', ['--version'], { stdio: 'ignore' }); } catch { return 'util-linux logger is not installed'; }
  return null;
}
const skip = skipReason() ?? false;
if (skip) console.log(`# skipped: ${skip}`);
let lab: Dhcp6Lab;

before(async () => {
  if (skip) return;
  lab = await Dhcp6Lab.start();
  // web01 reserves an IPv6 address: DHCPv6 finds it by the MAC inside the client's DUID.
  await lab.base.pool.query(`UPDATE "Host" SET ipv6 = 'fd77:77::11' WHERE id = $1`, [ids.web01]);
  // TFTP, HTTP and syslog too: DHCPv6's boot URLs name bootd's IPv6 address, and hosts booted
  // over IPv6 send their logs there.
  await lab.startBootd({ FLEETBOOT_SERVICES: 'dhcp,dhcp6,tftp,http,syslog' });
});
after(async () => {
  if (skip) return;
  await lab.dispose();
});

function inPool(address: string | undefined, start = pool6.start, end = pool6.end): boolean {
  if (!address) return false;
  const last = (a: string) => parseInt(a.split(':').at(-1)!, 16);
  return address.startsWith(start.slice(0, start.lastIndexOf(':'))) && last(address) >= last(start) && last(address) <= last(end);
}

async function rows<T extends Record<string, unknown>>(sql: string, params: unknown[]): Promise<T[]> {
  return (await lab.base.pool.query<T>(sql, params)).rows;
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await read();
  while (!ok(v) && Date.now() < deadline) { await sleep(100); v = await read(); }
  return v;
}

test('dhclient -6 (DUID-LLT) on bootd\'s link gets a pool address, committed to Lease6 with its DUID, IAID and MAC', { skip }, async () => {
  const mac = '52:54:00:66:60:01';
  const r = await lab.dhclient6(lab.addClient(mac));
  const bound = r.records.find((x) => x.reason === 'BOUND6');
  assert.ok(bound, `no BOUND6: ${r.log.slice(-2000)}\n${lab.base.bootdLog.slice(-2000)}`);
  const address = bound.env.new_ip6_address;
  assert.ok(inPool(address), `address ${address} not in the pool`);
  assert.match(r.log, /Advertise/);
  const leases = await rows<{ address: string; mac: string; state: string; duid: string }>(`SELECT address, mac, state::text AS state, duid FROM "Lease6" WHERE mac = $1`, [mac]);
  assert.equal(leases.length, 1);
  assert.deepEqual({ address: leases[0]!.address, state: leases[0]!.state }, { address, state: 'bound' });
  assert.match(leases[0]!.duid, /^00010001[0-9a-f]{8}525400666001$/, 'a DUID-LLT of the client MAC');
  // The exchange is on the timeline like a DHCPv4 one: solicit, advertise, request, reply.
  const events = await eventually(() => rows<{ type: string }>(`SELECT type FROM "BootEvent" WHERE source = 'dhcp6' AND mac = $1 ORDER BY at`, [mac]), (e) => e.length >= 3);
  assert.deepEqual(events.map((e) => e.type).filter((t) => t !== 'request'), ['solicit', 'advertise', 'reply']);
});

test('dhclient -6 -D LL for a host with a reserved IPv6 address gets the reservation (MAC from the DUID-LL)', { skip }, async () => {
  const r = await lab.dhclient6(lab.addClient(macs.web01), { args: ['-D', 'LL'] });
  const bound = r.records.find((x) => x.reason === 'BOUND6');
  assert.equal(bound?.env.new_ip6_address, 'fd77:77::11', r.log.slice(-2000));
  const events = await eventually(() => rows<{ type: string; hostId: string | null }>(`SELECT type, "hostId" FROM "BootEvent" WHERE source = 'dhcp6' AND type = 'reply' AND mac = $1`, [macs.web01]), (e) => e.length >= 1);
  assert.equal(events[0]?.hostId, ids.web01, 'the Reply is on the host\'s timeline');
});

test('rapid commit (RFC 8415 §18.3.1): a Solicit with option 14 is answered by a Reply that binds at once, no Advertise', { skip }, async () => {
  const mac = '52:54:00:66:60:02';
  const before = lab.base.metric('fleetboot_dhcp6_packets_total', { type: 'solicit', result: 'replied', reason: 'reply' });
  const r = await lab.dhclient6(lab.addClient(mac), { conf: 'send dhcp6.rapid-commit;\n' });
  const bound = r.records.find((x) => x.reason === 'BOUND6');
  assert.ok(inPool(bound?.env.new_ip6_address), r.log.slice(-2000));
  assert.doesNotMatch(r.log, /RCV: Advertise/);
  assert.equal(lab.base.metric('fleetboot_dhcp6_packets_total', { type: 'solicit', result: 'replied', reason: 'reply' }), before + 1);
  const leases = await rows<{ state: string }>(`SELECT state::text AS state FROM "Lease6" WHERE mac = $1`, [mac]);
  assert.deepEqual(leases, [{ state: 'bound' }]);
});

test('Renew extends the lease in Lease6; Release (dhclient -6 -r) marks it released', { skip }, async () => {
  const mac = '52:54:00:66:60:03';
  // Short leases on the boot network for this test: T1 = 5 s, so dhclient renews while it runs.
  await lab.base.pool.query(`UPDATE "Network" SET "leaseSeconds" = 10 WHERE id = $1`, [ids.lab]);
  try {
    await sleep(1500); // bootd's view follows the change log
    const client = lab.addClient(mac);
    const leaseFile = path.join(lab.base.tmp, `renew-${mac.replace(/:/g, '')}.leases`);
    const run = await lab.dhclient6(client, { keep: true, leaseFile });
    try {
      assert.ok(run.records.some((x) => x.reason === 'BOUND6'), run.log.slice(-2000));
      const first = await rows<{ e: Date }>(`SELECT "expiresAt" AS e FROM "Lease6" WHERE mac = $1`, [mac]);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !run.read().records.some((x) => x.reason === 'RENEW6')) await sleep(200);
      assert.ok(run.read().records.some((x) => x.reason === 'RENEW6'), run.read().log.slice(-2000));
      const renewed = await rows<{ e: Date; state: string }>(`SELECT "expiresAt" AS e, state::text AS state FROM "Lease6" WHERE mac = $1`, [mac]);
      assert.ok(renewed[0]!.e > first[0]!.e, 'the renewal moved the expiry');
    } finally {
      await run.stop();
    }
    // dhclient runs its RELEASE6 hook (unconfigure6) *before* it sends the Release (ISC dhclient
    // start_release6: "MUST NOT use any of the addresses it is releasing … So unconfigure now"),
    // so stopping it at RELEASE6 raced its own send: on a loaded box the SIGTERM came first and
    // bootd never saw a Release. Let it finish: `dhclient -r` exits by itself once it is done,
    // when bootd's Reply is in (0.6 s here), else after its retransmissions (bounded by `timeout 60`).
    const release = await lab.dhclient6(client, { args: ['-r'], leaseFile, until: 'exit', timeoutMs: 45_000 });
    assert.ok(release.records.some((x) => x.reason === 'RELEASE6'), release.log.slice(-2000));
    assert.match(release.log, /XMT: Release on/, release.log.slice(-2000));
    const state = await eventually(() => rows<{ state: string }>(`SELECT state::text AS state FROM "Lease6" WHERE mac = $1`, [mac]), (r) => r[0]?.state === 'released');
    assert.deepEqual(state, [{ state: 'released' }], release.log.slice(-2000));
  } finally {
    await lab.base.pool.query(`UPDATE "Network" SET "leaseSeconds" = 600 WHERE id = $1`, [ids.lab]);
  }
});

test('relayed through dhcrelay -6: the relay\'s link-address picks the remote network, the reply goes back through it with its interface-id', { skip }, async () => {
  await lab.base.pool.query(`UPDATE "Network" SET "ipv6Prefix" = 'fd77:99::/64', "ipv6PoolStart" = 'fd77:99::100', "ipv6PoolEnd" = 'fd77:99::1ff' WHERE id = $1`, [ids.remote]);
  await sleep(1500);
  const relay = lab.base.netns.addNamespace('r6');
  const client = lab.base.netns.addNamespace('q6');
  const upstream = lab.base.netns.attachToBridge(lab.base.server, lab.base.bridge, relay, null);
  relay.exec('ip', ['addr', 'add', 'fd77:77::2/64', 'dev', upstream, 'nodad']);
  const { aIf: relayDown, bIf: clientIf } = lab.base.netns.link(relay, null, client, null);
  relay.exec('ip', ['addr', 'add', 'fd77:99::fe/64', 'dev', relayDown, 'nodad']);
  client.exec('ip', ['link', 'set', clientIf, 'address', '52:54:00:66:60:04']);
  client.exec('sysctl', ['-qw', `net.ipv6.conf.${clientIf}.accept_dad=0`]);
  client.exec('ip', ['link', 'set', clientIf, 'down']);
  client.exec('ip', ['link', 'set', clientIf, 'up']);
  // Replies come back to the relay's upstream address: the server namespace routes the remote prefix there.
  lab.base.server.exec('ip', ['-6', 'route', 'add', 'fd77:99::/64', 'via', 'fd77:77::2']);
  await sleep(500);
  const relayd = relay.spawn('timeout', ['40', 'dhcrelay', '-6', '-d', '-I', '-l', relayDown, '-u', `${serverAddress6}%${upstream}`]);
  let relayLog = '';
  relayd.stdout?.on('data', (d: Buffer) => { relayLog += d.toString(); });
  relayd.stderr?.on('data', (d: Buffer) => { relayLog += d.toString(); });
  try {
    await sleep(1000);
    const r = await lab.dhclient6({ ns: client, iface: clientIf }, { args: ['-D', 'LL'] });
    const bound = r.records.find((x) => x.reason === 'BOUND6');
    assert.ok(inPool(bound?.env.new_ip6_address, 'fd77:99::100', 'fd77:99::1ff'), `${r.log.slice(-1500)}\nrelay: ${relayLog.slice(-1500)}\nbootd: ${lab.base.bootdLog.slice(-1500)}`);
    assert.match(relayLog, /Relaying Reply to fe80::5054:ff:fe66:6004 port 546 down/);
    const leases = await rows<{ networkId: string }>(`SELECT "networkId" FROM "Lease6" WHERE mac = '52:54:00:66:60:04'`, []);
    assert.deepEqual(leases, [{ networkId: ids.remote }]);
  } finally {
    relayd.kill('SIGKILL');
  }
});

test('malformed DHCPv6 datagrams are dropped and counted by reason', { skip }, async () => {
  const c = lab.addClient('52:54:00:66:60:05');
  const before = lab.base.metric('fleetboot_dhcp6_packets_total', { result: 'dropped', reason: 'truncated-option-ClientId' });
  const send = `const s=require('dgram').createSocket('udp6');s.send(Buffer.from('01000001000100090001','hex'),547,'ff02::1:2%${c.iface}',()=>s.close());`;
  c.ns.exec('node', ['-e', send]);
  let after = before;
  for (let i = 0; i < 30 && after === before; i++) { await sleep(100); after = lab.base.metric('fleetboot_dhcp6_packets_total', { result: 'dropped', reason: 'truncated-option-ClientId' }); }
  assert.equal(after, before + 1);
});

test('dhclient -6 on another LAN of the server gets no DHCPv6 answer, even with ff02::1:2 joined there by another program', { skip }, async () => {
  const base = lab.base;
  const otherBridge = base.netns.addBridge(base.server, 'v', null);
  base.server.exec('sysctl', ['-qw', `net.ipv6.conf.${otherBridge}.accept_dad=0`]);
  base.server.exec('ip', ['link', 'set', otherBridge, 'up']);
  const stranger = base.netns.addNamespace('v');
  const strangerIf = base.netns.attachToBridge(base.server, otherBridge, stranger, null, '52:54:00:66:88:01');
  stranger.exec('sysctl', ['-qw', `net.ipv6.conf.${strangerIf}.accept_dad=0`]);
  stranger.exec('ip', ['link', 'set', strangerIf, 'down']);
  stranger.exec('ip', ['link', 'set', strangerIf, 'up']);
  // Another program on the server (a relay, another DHCPv6 server) joins All_DHCP_Relay_Agents_and_Servers
  // on the other LAN: the kernel then accepts Solicits there and hands them to bootd's socket on
  // port 547 too (Linux matches a socket's group membership whatever the interface).
  const joiner = base.server.spawn('python3', ['-c', [
    'import socket, struct, time',
    's = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)',
    `s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, 'ff02::1:2') + struct.pack('@I', socket.if_nametoindex('${otherBridge}')))`,
    'print("joined", flush=True)',
    'time.sleep(60)',
  ].join('\n')]);
  let joined = '';
  joiner.stdout?.on('data', (d: Buffer) => { joined += d.toString(); });
  try {
    for (let waited = 0; !joined.includes('joined') && waited < 10_000; waited += 100) await sleep(100);
    assert.match(joined, /joined/, 'the other program joined ff02::1:2 on the other LAN');
    const ignoredBefore = base.metric('fleetboot_dhcp6_packets_total', { type: 'solicit', result: 'ignored', reason: 'not-a-boot-interface' });
    const r = await lab.dhclient6({ ns: stranger, iface: strangerIf }, { timeoutMs: 8000 });
    assert.equal(r.records.find((x) => x.reason === 'BOUND6'), undefined, `the other LAN's client got an address: ${r.log.slice(-1500)}`);
    assert.doesNotMatch(r.log, /Advertise/, 'no Advertise reached the other LAN');
    const ignored = base.metric('fleetboot_dhcp6_packets_total', { type: 'solicit', result: 'ignored', reason: 'not-a-boot-interface' });
    assert.ok(ignored > ignoredBefore, `bootd received the stranger's Solicits and left them unanswered (ignored ${ignoredBefore} → ${ignored})`);
    const leases = await rows<{ n: string }>(`SELECT count(*)::text AS n FROM "Lease6" WHERE mac = $1`, ['52:54:00:66:88:01']);
    assert.equal(leases[0]!.n, '0');
  } finally {
    joiner.kill('SIGTERM');
  }
});

test('syslog over IPv6: logger -d to bootd\'s IPv6 address lands in the host\'s log, found by its reserved address and by its Lease6', { skip }, async () => {
  const logsDir = path.join(lab.base.tmp, 'bootd-10.66.0.1', 'logs');
  const hostLog = async (hostId: string, text: string) => {
    let body = '';
    for (let waited = 0; waited < 10_000; waited += 200) {
      body = lab.base.server.exec('curl', ['-s', '--max-time', '5', `http://127.0.0.1:9467/logs/${hostId}?lines=50`]);
      if (body.includes(text)) return JSON.parse(body) as { hostId: string; file: string; lines: string[] };
      await sleep(200);
    }
    assert.fail(`host ${hostId}'s log never had "${text}": ${body}\n${fs.existsSync(logsDir) ? fs.readdirSync(logsDir).join(" ") : "no logs dir"}\n${lab.base.bootdLog.slice(-1500)}`);
  };
  const send = (client: { ns: LabNamespace }, message: string) =>
    client.ns.exec('logger', ['-n', serverAddress6, '-P', '514', '-d', '-t', 'fb-test', message], { timeoutMs: 10_000 });

  // web01 by its reserved IPv6 address (fd77:77::11).
  const reservedClient = lab.addClient('52:54:00:66:60:21');
  reservedClient.ns.exec('ip', ['addr', 'add', 'fd77:77::11/64', 'dev', reservedClient.iface, 'nodad']);
  try {
    send(reservedClient, 'hello over v6 from a reservation');
    const tail = await hostLog(ids.web01, 'hello over v6 from a reservation');
    assert.equal(tail.file, 'web01.log');
  } finally {
    reservedClient.ns.exec('ip', ['addr', 'del', 'fd77:77::11/64', 'dev', reservedClient.iface]);
  }

  // web02 has no IPv6 reservation: DHCPv6 leases it a pool address (Lease6), which names it.
  const pooledClient = lab.addClient(macs.web02);
  const r = await lab.dhclient6(pooledClient);
  const address = r.records.find((x) => x.reason === 'BOUND6')?.env.new_ip6_address;
  assert.ok(inPool(address), `web02 got no pool address: ${r.log.slice(-1500)}`);
  pooledClient.ns.exec('ip', ['addr', 'add', `${address}/64`, 'dev', pooledClient.iface, 'nodad']);
  send(pooledClient, 'hello over v6 from a Lease6');
  const tail = await hostLog(ids.web02, 'hello over v6 from a Lease6');
  assert.equal(tail.file, 'web02.log');
  assert.ok(!fs.existsSync(path.join(logsDir, `${address}.log`)), 'not kept under the address as an unknown sender');
});

test('TFTP and HTTP answer over IPv6 on the boot interface\'s IPv6 address; the transfer is on the host of the reserved address', { skip }, async () => {
  // web01's reserved IPv6 address (set in before()), as the host has it after DHCPv6; another
  // MAC than the earlier tests' clients, still on the bridge: the address alone names the host.
  const client = lab.addClient('52:54:00:66:60:11');
  client.ns.exec('ip', ['addr', 'add', 'fd77:77::11/64', 'dev', client.iface, 'nodad']);
  const dir = lab.base.tmp;
  const viaTftp = path.join(dir, 'v6-pxelinux.0');
  client.ns.exec('timeout', ['20', 'tftp', '-6', '-m', 'binary', serverAddress6, '-c', 'get', 'pxelinux.0', viaTftp], { timeoutMs: 25_000 });
  const viaHttp = path.join(dir, 'v6-http-pxelinux.0');
  const code = client.ns.exec('curl', ['-g', '-sS', '--max-time', '20', '-o', viaHttp, '-w', '%{http_code}', `http://[${serverAddress6}]:8080/pxelinux.0`], { timeoutMs: 25_000 });
  assert.equal(code, '200');
  const original = fs.readFileSync(['/usr/lib/PXELINUX/pxelinux.0', '/usr/lib/syslinux/modules/bios/pxelinux.0'].find((f) => fs.existsSync(f))!);
  assert.ok(fs.readFileSync(viaTftp).equals(original), 'pxelinux.0 over TFTP/IPv6 is the file bootd serves');
  assert.ok(fs.readFileSync(viaHttp).equals(original), 'pxelinux.0 over HTTP/IPv6 is the file bootd serves');
  const events = await eventually(
    () => rows<{ source: string; host: string | null; client: string }>(`SELECT source, "hostId"::text AS host, detail->>'clientIp' AS client FROM "BootEvent" WHERE source IN ('tftp', 'http') AND detail->>'clientIp' = 'fd77:77::11' AND type = 'transfer-done'`, []),
    (r) => r.some((e) => e.source === 'tftp') && r.some((e) => e.source === 'http'), 10_000);
  assert.ok(events.some((e) => e.source === 'tftp' && e.host === ids.web01), `the TFTP transfer is web01's: ${JSON.stringify(events)}`);
  assert.ok(events.some((e) => e.source === 'http' && e.host === ids.web01), `the HTTP transfer is web01's: ${JSON.stringify(events)}`);
});
