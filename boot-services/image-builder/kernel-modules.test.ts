import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModulesDep, planModules } from './kernel-modules.ts';

// Lines copied from Debian's linux-image-6.1.0-*-amd64 modules.dep (depmod output).
const sample = `kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
kernel/net/core/failover.ko:
kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/virtio/virtio_ring.ko:
kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko
kernel/lib/crc16.ko:
kernel/fs/mbcache.ko:
kernel/fs/jbd2/jbd2.ko:
`;

test('dependencies load before the modules that need them, each once', () => {
  const plan = planModules(parseModulesDep(sample), ['virtio_net', 'ext4', 'virtio-net']);
  const order = plan.loadOrder.map((p) => p.split('/').pop());
  assert.deepEqual(plan.notModules, []);
  assert.equal(new Set(order).size, order.length);
  for (const [before, after] of [['virtio_ring.ko', 'virtio.ko'], ['failover.ko', 'net_failover.ko'], ['net_failover.ko', 'virtio_net.ko'], ['jbd2.ko', 'ext4.ko']]) {
    assert.ok(order.indexOf(before) < order.indexOf(after), `${before} before ${after}: ${order.join(' ')}`);
  }
});

test('a wanted name that is built in (or absent) is reported, not an error', () => {
  assert.deepEqual(planModules(parseModulesDep(sample), ['af_packet']).notModules, ['af_packet']);
});
