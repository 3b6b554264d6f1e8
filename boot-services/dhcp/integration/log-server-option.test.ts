// DHCP option 7 (Log Server) between the real bootd and Debian's BusyBox udhcpc, as the boot
// agent asks for it (-O 7): bootd names its syslog receiver while it listens on 514, and the
// agent's own udhcpc.sh turns what udhcpc exports (opt7, hex) into net.env's logsrv.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DhcpLab, dhcpLabSkipReason, macs, repoRoot, serverAddress } from './dhcp-lab.ts';

const resolvConfIsFile = (() => {
  try { return fs.lstatSync('/etc/resolv.conf').isFile(); } catch { return false; }
})();
const skip = dhcpLabSkipReason() ?? (resolvConfIsFile ? false : '/etc/resolv.conf is not a plain file (the agent script\'s run binds a scratch copy over it)');
if (skip) console.log(`# skipped: ${skip}`);
let lab: DhcpLab;

before(async () => {
  if (skip) return;
  lab = await DhcpLab.start();
  // Syslog listens on 514 inside the lab's namespace (the default port).
  await lab.startBootd({ FLEETBOOT_SERVICES: 'dhcp,syslog' });
});
after(async () => {
  if (skip) return;
  await lab.dispose();
});

test('udhcpc -O 7 gets bootd\'s address as its log server; without -O 7 it is not sent', { skip }, () => {
  const asked = lab.udhcpc(lab.addClient(macs.web01), ['-O', '7']);
  assert.equal(asked.env.ip, '10.66.0.11', asked.log);
  assert.equal(asked.env.opt7, '0a420001', `opt7 is ${serverAddress} in hex`);
  const notAsked = lab.udhcpc(lab.addClient(macs.web02));
  assert.equal(notAsked.env.ip, '10.66.0.12', notAsked.log);
  assert.equal(notAsked.env.opt7, undefined);
});

test('the agent\'s udhcpc.sh writes logsrv=<bootd> into net.env', { skip }, () => {
  const client = lab.addClient(macs.web01);
  const scratch = path.join(lab.tmp, 'resolv.conf');
  fs.writeFileSync(scratch, '');
  // `ip netns exec` gives the command its own mount namespace (slave): the tmpfs on /run and the
  // scratch resolv.conf stay in it, so the script can't touch this machine's files.
  // Executable as build-initramfs.ts packs it (the repository file isn't).
  const agentScript = path.join(lab.tmp, 'agent-udhcpc.sh');
  fs.copyFileSync(path.join(repoRoot, 'boot-services/image-builder/udhcpc.sh'), agentScript);
  fs.chmodSync(agentScript, 0o755);
  const netEnv = client.ns.exec('sh', ['-c', [
    'mount -t tmpfs tmpfs /run && mkdir -p /run/fleetboot',
    `mount --bind ${scratch} /etc/resolv.conf`,
    `timeout 20 udhcpc -f -q -n -t 5 -T 1 -i ${client.iface} -V fleetboot-agent -O 7 -s ${agentScript} >/dev/null 2>&1`,
    'cat /run/fleetboot/net.env',
  ].join(' && ')], { timeoutMs: 30_000 });
  assert.match(netEnv, /^ip=10\.66\.0\.11$/m, netEnv);
  assert.match(netEnv, new RegExp(`^logsrv=${serverAddress.replace(/\./g, '\\.')}$`, 'm'), netEnv);
});
