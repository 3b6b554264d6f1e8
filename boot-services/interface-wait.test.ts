import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BootInterfaceNotReady } from './config.ts';
import { interfaceHealth, waitForBootInterfaces } from './interface-wait.ts';

test('bootd waits for its boot interface, logs each new reason once, and goes on when it is ready', async () => {
  const steps: Array<string | null> = ['br0 has no IPv4 address', 'br0 has no IPv4 address', 'br0 has no IPv4 address', 'br0 is down', null];
  const warned: string[] = [];
  const waiting: Array<string | null> = [];
  const config = await waitForBootInterfaces(() => {
    const step = steps.shift();
    if (step) throw new BootInterfaceNotReady([step]);
    return { ready: true };
  }, {
    log: { info() {}, warn: (_m, f) => { warned.push(String(f?.reason)); }, error() {} },
    onWaiting: (r) => { waiting.push(r); },
    sleep: async () => {},
  });
  assert.deepEqual(config, { ready: true });
  assert.deepEqual(warned, ['br0 has no IPv4 address', 'br0 is down']);
  assert.deepEqual(waiting, ['br0 has no IPv4 address', 'br0 is down', null]);
  await assert.rejects(waitForBootInterfaces(() => { throw new Error('DATABASE_URL is not set'); }, { log: { info() {}, warn() {}, error() {} }, onWaiting() {} }), /DATABASE_URL/);
});

test('/healthz says why a boot interface can\'t be served now', () => {
  const boot = [{ name: 'br0', address: '10.66.0.1' }];
  assert.equal(interfaceHealth(boot, [{ name: 'br0', up: true, carrier: true, ipv4: ['10.66.0.1'] }])[0]!.problem, undefined);
  assert.match(interfaceHealth(boot, [{ name: 'br0', up: true, carrier: false, ipv4: ['10.66.0.1'] }])[0]!.problem!, /no carrier/);
  assert.match(interfaceHealth(boot, [{ name: 'br0', up: false, carrier: false, ipv4: ['10.66.0.1'] }])[0]!.problem!, /down/);
  assert.match(interfaceHealth(boot, [{ name: 'br0', up: true, carrier: true, ipv4: ['10.66.0.7'] }])[0]!.problem!, /no longer on br0/);
  assert.match(interfaceHealth(boot, [])[0]!.problem!, /gone/);
  assert.match(interfaceHealth(boot, [{ name: 'br0', up: true, carrier: true, ipv4: ['10.66.0.1'], ipv6Duplicate: ['fd77:77::1'] }])[0]!.problem!, /fd77:77::1 on br0 failed duplicate address detection/);
});
