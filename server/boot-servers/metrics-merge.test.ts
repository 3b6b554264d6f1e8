import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeExpositions } from './metrics-merge.ts';

const bootd = (hits: number) => [
  '# HELP fleetboot_artifact_cache_requests_total Artifact requests',
  '# TYPE fleetboot_artifact_cache_requests_total counter',
  `fleetboot_artifact_cache_requests_total{result="hit"} ${hits}`,
  '# HELP fleetboot_view_hosts Hosts',
  '# TYPE fleetboot_view_hosts gauge',
  `fleetboot_view_hosts ${hits * 10}`,
  '# HELP fleetboot_boot_seconds Boot durations',
  '# TYPE fleetboot_boot_seconds histogram',
  'fleetboot_boot_seconds_bucket{le="10"} 1',
  'fleetboot_boot_seconds_sum 4',
  'fleetboot_boot_seconds_count 1',
].join('\n');

test('each family once, with every bootd\'s samples labelled by boot server', () => {
  const merged = mergeExpositions([
    { bootServer: null, text: '# bootd metrics unavailable on 127.0.0.1:9467: refused' },
    { bootServer: 'site-a', text: bootd(1) },
    { bootServer: 'site "b"', text: bootd(2) },
  ]).split('\n');
  assert.equal(merged[0], '# bootd metrics unavailable on 127.0.0.1:9467: refused');
  assert.equal(merged.filter((l) => l === '# TYPE fleetboot_view_hosts gauge').length, 1);
  const hostsAt = merged.indexOf('# TYPE fleetboot_view_hosts gauge');
  assert.deepEqual(merged.slice(hostsAt + 1, hostsAt + 3), ['fleetboot_view_hosts{boot_server="site-a"} 10', 'fleetboot_view_hosts{boot_server="site \\"b\\""} 20']);
  assert.ok(merged.includes('fleetboot_artifact_cache_requests_total{boot_server="site-a",result="hit"} 1'));
  const histAt = merged.indexOf('# TYPE fleetboot_boot_seconds histogram');
  assert.deepEqual(merged.slice(histAt + 1), [
    'fleetboot_boot_seconds_bucket{boot_server="site-a",le="10"} 1', 'fleetboot_boot_seconds_sum{boot_server="site-a"} 4', 'fleetboot_boot_seconds_count{boot_server="site-a"} 1',
    'fleetboot_boot_seconds_bucket{boot_server="site \\"b\\"",le="10"} 1', 'fleetboot_boot_seconds_sum{boot_server="site \\"b\\""} 4', 'fleetboot_boot_seconds_count{boot_server="site \\"b\\""} 1',
  ]);
});

test('the bootd beside the console keeps its samples as they are', () => {
  assert.equal(mergeExpositions([{ bootServer: null, text: bootd(3) }]), bootd(3));
});
