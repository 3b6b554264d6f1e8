// bootd on a multi-homed server (issue 15): the server namespace has the boot LAN on one
// bridge and another LAN on a second one. Real clients on the other LAN get nothing at all
// (tcpdump on every interface of the server's namespace sees their DISCOVERs and no OFFER),
// not from DHCP nor from TFTP; clients on the boot LAN are served. Then bootd started while its
// boot interface has no address and is down: it waits, says why on /healthz, and serves as
// soon as the interface is ready, without a restart; and one whose IPv6 address is still in
// duplicate address detection waits for it too, where binding it would have failed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DhcpLab, dhcpLabForFile, macs, serverAddress, sleep } from './dhcp-lab.ts';

let lab: DhcpLab;
const skip = dhcpLabForFile((l) => { lab = l; }, { FLEETBOOT_SERVICES: 'dhcp,tftp' });
const otherAddress = '10.88.0.1';

test('a client on another LAN of the server gets no DHCP and no TFTP answer at all; the boot LAN is served', { skip, timeout: 120_000 }, async () => {
  const otherBridge = lab.netns.addBridge(lab.server, 'o', `${otherAddress}/24`);
  const stranger = lab.netns.addNamespace('o');
  const strangerIf = lab.netns.attachToBridge(lab.server, otherBridge, stranger, null, '52:54:00:88:00:01');
  const pcap = path.join(lab.tmp, 'server-any.pcap');
  // Every interface of the server's namespace: both bridges and their ports.
  const capture = lab.server.spawn('tcpdump', ['-i', 'any', '-n', '-U', '-w', pcap, 'udp port 67 or udp port 68']);
  let captureLog = '';
  capture.stderr?.on('data', (d: Buffer) => { captureLog += d.toString(); });
  for (let waited = 0; !captureLog.includes('listening on') && waited < 10_000; waited += 100) await sleep(100);
  assert.match(captureLog, /listening on/, 'tcpdump runs');

  const udhcpc = lab.udhcpc({ ns: stranger, iface: strangerIf }, ['-t', '3'], 15_000);
  assert.equal(udhcpc.env.ip, undefined, `the other LAN's client got an address: ${udhcpc.log}`);
  // dhclient too (another client, other options): bounded by timeout, no lease either.
  const leases = path.join(lab.tmp, 'stranger.leases');
  try {
    stranger.exec('timeout', ['8', 'dhclient', '-d', '-1', '-4', '-lf', leases, '-pf', path.join(lab.tmp, 'stranger.pid'), '-sf', '/bin/true', strangerIf], { timeoutMs: 15_000 });
  } catch { /* timeout 124: no lease, as expected */ }
  assert.equal(fs.existsSync(leases) ? fs.readFileSync(leases, 'utf8').includes('lease {') : false, false, 'dhclient on the other LAN got a lease');
  await sleep(500);
  capture.kill('SIGINT');
  await new Promise((r) => capture.once('exit', r));
  // Read inside the namespace: the capture records interface indexes, named by the reader's namespace.
  const packets = lab.server.exec('tcpdump', ['-n', '-r', pcap]).split('\n').filter(Boolean);
  assert.ok(packets.some((l) => l.includes(` ${otherBridge} `) && /\.68 > 255\.255\.255\.255\.67/.test(l)), `the capture saw the stranger's DISCOVERs:\n${packets.join('\n')}`);
  assert.deepEqual(packets.filter((l) => /\.67 > /.test(l)), [], 'no DHCP reply left the server on any interface');
  assert.equal(lab.bootds[0]!.metric('fleetboot_dhcp_packets_total', { result: 'replied' }), 0);

  // TFTP listens on the boot interface's address only: the other LAN's address answers nothing.
  const got = path.join(lab.tmp, 'stranger-pxelinux.0');
  try {
    stranger.exec('ip', ['addr', 'add', '10.88.0.50/24', 'dev', strangerIf]);
    stranger.exec('timeout', ['6', 'tftp', '-m', 'binary', otherAddress, '-c', 'get', 'pxelinux.0', got], { timeoutMs: 10_000 });
  } catch { /* refused or timed out */ }
  assert.equal(fs.existsSync(got) && fs.statSync(got).size > 0, false, 'tftp-hpa on the other LAN fetched a file');
  assert.doesNotMatch(lab.server.exec('ss', ['-lnu']), new RegExp(`${otherAddress.replace(/\./g, '\\.')}:69\\b|0\\.0\\.0\\.0:69\\b`), 'TFTP listens on the other LAN');

  // The boot LAN is served: a lease, then the boot file over TFTP.
  const client = lab.addClient(macs.web01);
  const r = lab.udhcpc(client);
  assert.equal(r.env.ip, '10.66.0.11', r.log);
  const booted = path.join(lab.tmp, 'boot-lan-pxelinux.0');
  client.ns.exec('timeout', ['20', 'tftp', '-m', 'binary', serverAddress, '-c', 'get', 'pxelinux.0', booted], { timeoutMs: 25_000 });
  assert.ok(fs.statSync(booted).size > 0);
});

test('bootd started while its boot interface has no address and is down waits, says why on /healthz, and serves once it is up', { skip, timeout: 120_000 }, async () => {
  await lab.bootds[0]!.stop();
  lab.server.exec('ip', ['addr', 'flush', 'dev', lab.bridge]);
  lab.server.exec('ip', ['link', 'set', lab.bridge, 'down']);
  // No FLEETBOOT_BOOTD_ADDRESS: the address is the interface's, from the kernel.
  const bootd = await lab.startBootd({ FLEETBOOT_BOOTD_ADDRESS: '', FLEETBOOT_BOOT_HTTP_URL: '' }, null, 'waiting for the boot interface');
  let health = bootd.health();
  assert.equal(health.status, 503);
  assert.match(String(health.body.waitingFor), new RegExp(`${lab.bridge} has no IPv4 address`));
  await sleep(2500);
  assert.equal(bootd.child.exitCode, null, 'bootd is still running (no crash loop)');
  assert.equal(bootd.log.split('waiting for the boot interface').length - 1, 1, 'the reason is logged once');

  lab.server.exec('ip', ['addr', 'add', `${serverAddress}/24`, 'dev', lab.bridge]);
  for (let i = 0; i < 50 && !String(bootd.health().body.waitingFor).includes('is down'); i++) await sleep(200);
  health = bootd.health();
  assert.match(String(health.body.waitingFor), new RegExp(`${lab.bridge} is down`));

  lab.server.exec('ip', ['link', 'set', lab.bridge, 'up']);
  await bootd.waitForLog('bootd ready', 30_000);
  health = bootd.health();
  assert.equal(health.status, 200);
  const interfaces = health.body.interfaces as Array<{ name: string; address: string }>;
  assert.deepEqual(interfaces.map((i) => [i.name, i.address]), [[lab.bridge, serverAddress]]);
  const r = lab.udhcpc(lab.addClient(macs.web02));
  assert.equal(r.env.ip, '10.66.0.12', r.log + bootd.log.slice(-2000));
  assert.equal(r.env.serverid, serverAddress);
});

test('an IPv6 address of the boot interface still in DAD: bootd waits for it (no crash on the bind), says so on /healthz, then serves TFTP over IPv6 there', { skip, timeout: 120_000 }, async () => {
  for (const b of lab.bootds) await b.stop();
  const address6 = 'fd88:1::1';
  // A client on the bridge first: DAD runs once the bridge has carrier.
  const client = lab.addClient('52:54:00:66:00:31');
  client.ns.exec('sysctl', ['-qw', `net.ipv6.conf.${client.iface}.accept_dad=0`]);
  client.ns.exec('ip', ['addr', 'add', 'fd88:1::20/64', 'dev', client.iface, 'nodad']);
  // 15 DAD probes 2 s apart (RFC 4862 §5.1 DupAddrDetectTransmits, RetransTimer): DAD outlasts
  // bootd's start however loaded the box; the test shortens the interval once bootd waits.
  lab.server.exec('sysctl', ['-qw', `net.ipv6.conf.${lab.bridge}.dad_transmits=15`]);
  lab.server.exec('sysctl', ['-qw', `net.ipv6.neigh.${lab.bridge}.retrans_time_ms=2000`]);
  lab.server.exec('ip', ['addr', 'add', `${address6}/64`, 'dev', lab.bridge]);
  assert.match(lab.server.exec('ip', ['-6', 'addr', 'show', 'dev', lab.bridge]), /fd88:1::1\/64 scope global tentative/, 'the address is in DAD when bootd starts');

  const bootd = await lab.startBootd({ FLEETBOOT_SERVICES: 'dhcp,tftp,http,syslog' }, null, 'waiting for the boot interface');
  const health = bootd.health();
  assert.equal(health.status, 503);
  assert.match(String(health.body.waitingFor), new RegExp(`${lab.bridge}: duplicate address detection of ${address6} is still running`));
  assert.equal(bootd.child.exitCode, null, 'bootd is running (no crash loop)');

  // The remaining probes 100 ms apart: DAD ends, and bootd binds the address without a restart.
  lab.server.exec('sysctl', ['-qw', `net.ipv6.neigh.${lab.bridge}.retrans_time_ms=100`]);
  await bootd.waitForLog('bootd ready', 40_000);
  assert.equal(bootd.child.exitCode, null, 'bootd never exited');
  assert.equal(bootd.health().status, 200);
  assert.doesNotMatch(lab.server.exec('ip', ['-6', 'addr', 'show', 'dev', lab.bridge]), /fd88:1::1\/64 scope global tentative/);
  const booted = path.join(lab.tmp, 'dad-pxelinux.0');
  client.ns.exec('timeout', ['20', 'tftp', '-6', '-m', 'binary', address6, '-c', 'get', 'pxelinux.0', booted], { timeoutMs: 25_000 });
  assert.ok(fs.statSync(booted).size > 0, 'pxelinux.0 over TFTP on the address that was in DAD');
});
