// 100,000 random and mutated packets at the running bootd: it stays up, counts what it drops,
// and still answers a real client afterwards.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DhcpLab, dhcpLabForFile, macs, serverAddress } from './dhcp-lab.ts';

let lab: DhcpLab;
const skip = dhcpLabForFile((l) => { lab = l; });
const fixtures = ['udhcpc.pcap', 'udhcpc-pxe.pcap', 'dhclient.pcap'].map((f) => fileURLToPath(new URL(`../testdata/${f}`, import.meta.url)));
const packetCount = 100_000;
const execSleep = (ms: number) => execFileSync('sleep', [String(ms / 1000)]);

test(`bootd survives ${packetCount} random and mutated packets and still serves a real client`, { skip, timeout: 240_000 }, () => {
  const fuzzer = lab.addClient('52:54:00:66:ff:01', '10.66.0.160/24');
  const out = lab.probe(fuzzer, { mode: 'fuzz', to: serverAddress, port: 67, count: packetCount, seed: 20261126, fixtures, maxSeconds: 150 }, 200_000);
  const { sent, failed } = JSON.parse(out.trim().split('\n').at(-1)!) as { sent: number; failed: number };
  assert.equal(sent, packetCount);
  assert.equal(failed, 0);
  assert.equal(lab.bootd?.exitCode, null, 'bootd exited');
  // Let bootd work through what the kernel buffered, then read the counters.
  const total = () => ['dropped', 'ignored', 'replied'].reduce((n, result) => n + lab.metric('fleetboot_dhcp_packets_total', { result }), 0);
  let counted = total();
  for (let i = 0; i < 60; i++) {
    const t0 = counted;
    execSleep(500);
    counted = total();
    if (counted === t0) break;
  }
  const dropped = lab.metric('fleetboot_dhcp_packets_total', { result: 'dropped' });
  // What the kernel shed because bootd's receive buffer was full: its own counter, per namespace.
  const snmp = lab.server.exec('cat', ['/proc/net/snmp']).split('\n').filter((l) => l.startsWith('Udp: '));
  const heads = snmp[0]!.split(/\s+/);
  const values = snmp[1]!.split(/\s+/);
  const kernelShed = Number(values[heads.indexOf('RcvbufErrors')]);
  console.log(`# fuzz: sent ${sent}, counted by bootd ${counted} (dropped ${dropped}), shed by the kernel ${kernelShed}`);
  assert.ok(counted + kernelShed >= packetCount * 0.99, `${packetCount - counted - kernelShed} packets neither counted nor shed`);
  assert.ok(counted >= packetCount * 0.5, `bootd read only ${counted} of ${packetCount} packets`);
  assert.ok(dropped >= counted * 0.3, `only ${dropped} malformed packets counted as dropped`);
  const r = lab.udhcpc(lab.addClient(macs.web01));
  assert.equal(r.env.ip, '10.66.0.11', r.log);
});
