import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrContains, formatIPv4, isUsableHostAddress, parseCidr, parseIPv4 } from './ipv4.ts';

test('parses and formats dotted quads, refusing malformed ones', () => {
  assert.equal(formatIPv4(parseIPv4('10.66.0.254')!), '10.66.0.254');
  for (const bad of ['10.66.0', '10.66.0.256', '1.2.3.4.5', 'a.b.c.d', '01234.1.1.1', '']) assert.equal(parseIPv4(bad), null, bad);
});

test('CIDR containment and usable addresses', () => {
  const net = parseCidr('10.66.0.0/24')!;
  assert.ok(cidrContains(net, parseIPv4('10.66.0.7')!));
  assert.ok(!cidrContains(net, parseIPv4('10.66.1.7')!));
  assert.ok(!isUsableHostAddress(net, parseIPv4('10.66.0.0')!));
  assert.ok(!isUsableHostAddress(net, parseIPv4('10.66.0.255')!));
  assert.ok(isUsableHostAddress(parseCidr('10.0.0.0/31')!, parseIPv4('10.0.0.1')!));
  assert.equal(parseCidr('10.66.0.0/33'), null);
  assert.equal(parseCidr('10.66.0.0'), null);
  assert.equal(formatIPv4(parseCidr('10.66.0.77/24')!.network), '10.66.0.0');
});
