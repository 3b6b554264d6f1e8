import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalIPv6, formatIPv6, ipv6FromBuffer, ipv6PrefixContains, ipv6ToBuffer, isLinkLocalIPv6, parseIPv6, parseIPv6Prefix, urlHost } from './ipv6.ts';

test('parses the RFC 4291 §2.2 forms and refuses the rest', () => {
  assert.equal(parseIPv6('::'), 0n);
  assert.equal(parseIPv6('::1'), 1n);
  assert.equal(parseIPv6('fd77:77::1'), 0xfd770077000000000000000000000001n);
  assert.equal(parseIPv6('FD77:0077:0:0:0:0:0:1'), 0xfd770077000000000000000000000001n);
  assert.equal(parseIPv6('::ffff:10.66.0.1'), 0xffff0a420001n);
  for (const bad of ['', ':', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', 'g::', '10.0.0.1', 'fe80::1%eth0', '1:2:3:4:5:6:7::8']) {
    assert.equal(parseIPv6(bad), null, bad);
  }
});

test('formats in RFC 5952 §4 form', () => {
  assert.equal(formatIPv6(0n), '::');
  assert.equal(formatIPv6(1n), '::1');
  assert.equal(canonicalIPv6('2001:0db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  assert.equal(canonicalIPv6('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1', 'a single zero group is not shortened');
  assert.equal(canonicalIPv6('fe80:0:0:0:5054:ff:fe77:1'), 'fe80::5054:ff:fe77:1');
  assert.equal(canonicalIPv6('fd77:77:0:0:0:0:0:0'), 'fd77:77::');
});

test('buffers, prefixes, link-local and URL hosts', () => {
  const v = parseIPv6('fd77:77::abcd')!;
  assert.equal(ipv6FromBuffer(ipv6ToBuffer(v)), v);
  const p = parseIPv6Prefix('fd77:77::5/64')!;
  assert.equal(formatIPv6(p.network), 'fd77:77::');
  assert.equal(formatIPv6(p.last), 'fd77:77::ffff:ffff:ffff:ffff');
  assert.ok(ipv6PrefixContains(p, v));
  assert.ok(!ipv6PrefixContains(p, parseIPv6('fd77:78::1')!));
  assert.equal(parseIPv6Prefix('fd77::/129'), null);
  assert.equal(parseIPv6Prefix('fd77::'), null);
  assert.ok(isLinkLocalIPv6(parseIPv6('fe80::1')!));
  assert.ok(!isLinkLocalIPv6(parseIPv6('fd77::1')!));
  assert.equal(urlHost('fd77:77::1'), '[fd77:77::1]');
  assert.equal(urlHost('10.66.0.1'), '10.66.0.1');
});
