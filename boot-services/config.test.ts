import assert from 'node:assert/strict';
import { test } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BootInterfaceNotReady, loadBootdConfig, loadDhcpPeeringConfig } from './config.ts';

const base = { DATABASE_URL: 'postgres://bootd@localhost/fleetboot', FLEETBOOT_BOOTD_ADDRESS: '10.66.0.1' };

test('syslog runs by default, on udp/514', () => {
  const config = loadBootdConfig(base);
  assert.deepEqual([config.enableSyslog, config.syslogPort], [true, 514]);
  assert.deepEqual([config.enableTftp, config.enableHttp], [true, true]);
  assert.equal(config.enableDhcp, false, 'no DHCP without a named boot interface');
});

test('FLEETBOOT_SERVICES without syslog turns it off; FLEETBOOT_SYSLOG_PORT moves it', () => {
  assert.equal(loadBootdConfig({ ...base, FLEETBOOT_SERVICES: 'dhcp,tftp,http' }).enableSyslog, false);
  assert.equal(loadBootdConfig({ ...base, FLEETBOOT_SYSLOG_PORT: '5514' }).syslogPort, 5514);
  assert.throws(() => loadBootdConfig({ ...base, FLEETBOOT_SYSLOG_PORT: 'syslog' }), /FLEETBOOT_SYSLOG_PORT must be a port number/);
});

test('unnamed, bootd has no boot server identity and keeps its status endpoint on loopback', () => {
  const config = loadBootdConfig(base);
  assert.deepEqual([config.bootServer, config.adminBindAddress], [null, '127.0.0.1']);
});

test('a named bootd needs its credential, from the environment or a file; its status URL defaults to its address', () => {
  assert.throws(() => loadBootdConfig({ ...base, FLEETBOOT_BOOTD_NAME: 'site-a-1' }), /FLEETBOOT_BOOTD_NAME=site-a-1 needs its credential/);
  const named = loadBootdConfig({ ...base, FLEETBOOT_BOOTD_NAME: 'site-a-1', FLEETBOOT_BOOTD_CREDENTIAL: 'fbb_secret', FLEETBOOT_CONSOLE_URL: 'http://10.0.0.1:3000/' });
  assert.deepEqual(named.bootServer, { name: 'site-a-1', credential: 'fbb_secret', consoleUrl: 'http://10.0.0.1:3000', statusUrl: 'http://10.66.0.1:9467', heartbeatMs: 10_000 });
  assert.equal(named.adminBindAddress, '0.0.0.0', 'the console on another machine reaches its status URL');
  assert.equal(loadBootdConfig({ ...base, FLEETBOOT_BOOTD_NAME: 'site-a-1', FLEETBOOT_BOOTD_CREDENTIAL: 'fbb_secret', FLEETBOOT_BOOTD_ADMIN_BIND: '10.0.0.5' }).adminBindAddress, '10.0.0.5');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-cred-'));
  try {
    fs.writeFileSync(path.join(dir, 'credential'), 'fbb_from_file\n');
    const fromFile = loadBootdConfig({ ...base, FLEETBOOT_BOOTD_NAME: 'site-a-1', FLEETBOOT_BOOTD_CREDENTIAL_FILE: path.join(dir, 'credential') });
    assert.equal(fromFile.bootServer?.credential, 'fbb_from_file');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => loadBootdConfig({ ...base, FLEETBOOT_BOOTD_NAME: 'x', FLEETBOOT_BOOTD_CREDENTIAL: 'y', FLEETBOOT_CONSOLE_URL: 'console:3000' }), /FLEETBOOT_CONSOLE_URL must be an http\(s\) URL/);
});

test('a named bootd is its own DHCP peer id unless FLEETBOOT_BOOTD_ID says otherwise', () => {
  assert.equal(loadDhcpPeeringConfig({ FLEETBOOT_BOOTD_NAME: 'site-a-1' }).bootdId, 'site-a-1');
  assert.equal(loadDhcpPeeringConfig({ FLEETBOOT_BOOTD_NAME: 'site-a-1', FLEETBOOT_BOOTD_ID: 'legacy' }).bootdId, 'legacy');
});

test('boot interfaces come from the kernel: their addresses are the server address and where TFTP and syslog listen', () => {
  const kernel = () => [
    { name: 'br0', up: true, carrier: false, ipv4: ['10.66.0.1'], ipv6: ['fd77:77::1'] },
    { name: 'eth2', up: true, carrier: true, ipv4: ['10.67.0.1', '10.67.0.2'] },
    { name: 'eth9', up: true, carrier: true, ipv4: ['192.168.9.5'] },
  ];
  const env = { DATABASE_URL: base.DATABASE_URL, FLEETBOOT_BOOT_INTERFACE: 'br0,eth2' };
  const config = loadBootdConfig(env, kernel);
  assert.equal(config.serverAddress, '10.66.0.1');
  assert.deepEqual(config.bootInterfaces, [{ name: 'br0', address: '10.66.0.1' }, { name: 'eth2', address: '10.67.0.1' }]);
  assert.equal(config.bindAddress, '10.66.0.1', 'HTTP on the boot address, not on every LAN');
  assert.deepEqual(config.listenAddresses, ['10.66.0.1', '10.67.0.1', 'fd77:77::1'], 'and on its global IPv6 address, for DHCPv6\'s boot URLs');
  assert.equal(config.enableDhcp, true);
  const everywhere = loadBootdConfig({ ...env, FLEETBOOT_BOOTD_BIND: '0.0.0.0' }, kernel);
  assert.deepEqual([everywhere.bindAddress, everywhere.listenAddresses], ['0.0.0.0', undefined]);
});

test('a boot interface without an address or down is BootInterfaceNotReady, naming why (bootd waits, it does not exit)', () => {
  const env = { DATABASE_URL: base.DATABASE_URL, FLEETBOOT_BOOT_INTERFACE: 'br0' };
  assert.throws(() => loadBootdConfig(env, () => [{ name: 'br0', up: true, carrier: false, ipv4: [] }]), (err: Error) => err instanceof BootInterfaceNotReady && /br0 has no IPv4 address/.test(err.message));
  assert.throws(() => loadBootdConfig(env, () => [{ name: 'br0', up: false, carrier: false, ipv4: ['10.66.0.1'] }]), /br0 is down/);
  assert.throws(() => loadBootdConfig(env, () => []), /br0 does not exist/);
});
