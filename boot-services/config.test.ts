import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBootdConfig } from './config.ts';

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
