import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interfaceNotReadyReason, parseInterfaceList, parseIpAddrJson } from './boot-interfaces.ts';

// `ip -j addr show` in a namespace (iproute2 6.1, Debian 12): a bridge up with a primary and a
// secondary address and a global IPv6 one beside its link-local one, a bridge still down with
// its address, loopback down.
const captured = '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK"],"mtu":65536,"operstate":"DOWN","addr_info":[]},'
  + '{"ifindex":2,"ifname":"brx","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"operstate":"UNKNOWN","addr_info":['
  + '{"family":"inet","local":"10.66.0.9","prefixlen":24,"scope":"global","secondary":true,"label":"brx"},'
  + '{"family":"inet","local":"10.66.0.1","prefixlen":24,"scope":"global","label":"brx"},'
  + '{"family":"inet6","local":"fd77:77::1","prefixlen":64,"scope":"global","valid_life_time":4294967295,"preferred_life_time":4294967295},'
  + '{"family":"inet6","local":"fe80::d4fe:74ff:fe0f:9075","prefixlen":64,"scope":"link","tentative":true}]},'
  + '{"ifindex":3,"ifname":"brd","flags":["BROADCAST","MULTICAST"],"mtu":1500,"operstate":"DOWN","addr_info":[{"family":"inet","local":"10.88.0.1","prefixlen":24,"scope":"global","label":"brd"}]},'
  + '{"ifindex":4,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP"],"operstate":"DOWN","addr_info":[{"family":"inet","local":"10.99.0.1","prefixlen":24}]}]';

test('interfaces from ip -j addr: an interface down or without carrier keeps its address; primary address first', () => {
  const list = parseIpAddrJson(captured);
  assert.deepEqual(list.map((i) => i.name), ['lo', 'brx', 'brd', 'eth0']);
  assert.deepEqual(list[1], { name: 'brx', up: true, carrier: true, ipv4: ['10.66.0.1', '10.66.0.9'], ipv6: ['fd77:77::1'] });
  assert.deepEqual(list[2], { name: 'brd', up: false, carrier: false, ipv4: ['10.88.0.1'], ipv6: [] });
  assert.deepEqual(list[3], { name: 'eth0', up: true, carrier: false, ipv4: ['10.99.0.1'], ipv6: [] });
  assert.deepEqual(parseIpAddrJson('{"not":"a list"}'), []);
  assert.deepEqual(parseIpAddrJson('[null, {"ifname": 7}, {"ifname":"x"}]'), [{ name: 'x', up: false, carrier: false, ipv4: [], ipv6: [] }]);
});

test('a boot interface is ready with an address and up, carrier or not', () => {
  const list = parseIpAddrJson(captured);
  assert.equal(interfaceNotReadyReason('brx', list), null);
  assert.equal(interfaceNotReadyReason('eth0', list), null, 'no carrier: ready (the address can be bound)');
  assert.match(interfaceNotReadyReason('brd', list)!, /brd is down/);
  assert.match(interfaceNotReadyReason('lo', list)!, /lo has no IPv4 address/);
  assert.match(interfaceNotReadyReason('nope0', list)!, /nope0 does not exist/);
  assert.deepEqual(parseInterfaceList(' br0, eth1 ,,br0'), ['br0', 'eth1']);
});

// `ip -j addr show` (iproute2 6.1) of a veth whose global IPv6 address was just added (DAD
// running: "tentative") beside one whose DAD found a duplicate ("tentative" and "dadfailed")
// and one optimistic address (RFC 4429, usable during DAD).
const duringDad = '[{"ifindex":3,"link":"p3b","ifname":"p3a","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"operstate":"UP","addr_info":['
  + '{"family":"inet","local":"10.66.0.1","prefixlen":24,"scope":"global","label":"p3a"},'
  + '{"family":"inet6","local":"fd99::1","prefixlen":64,"scope":"global","tentative":true,"valid_life_time":4294967295,"preferred_life_time":4294967295},'
  + '{"family":"inet6","local":"fd99::2","prefixlen":64,"scope":"global","tentative":true,"dadfailed":true,"valid_life_time":4294967295,"preferred_life_time":4294967295},'
  + '{"family":"inet6","local":"fd99::3","prefixlen":64,"scope":"global","optimistic":true,"tentative":true,"valid_life_time":4294967295,"preferred_life_time":4294967295},'
  + '{"family":"inet6","local":"fe80::b86f:96ff:fe7c:b7ae","prefixlen":64,"scope":"link","tentative":true}]}]';

test('an IPv6 address in DAD is tentative, not a listen address; a failed one is a duplicate; an optimistic one is usable', () => {
  const [iface] = parseIpAddrJson(duringDad);
  assert.deepEqual(iface, { name: 'p3a', up: true, carrier: true, ipv4: ['10.66.0.1'], ipv6: ['fd99::3'], ipv6Tentative: ['fd99::1'], ipv6Duplicate: ['fd99::2'] });
});

test('a boot interface waits while DAD runs on one of its IPv6 addresses; without carrier (DAD not started, the address binds) or with a duplicate it does not', () => {
  const [iface] = parseIpAddrJson(duringDad);
  assert.match(interfaceNotReadyReason('p3a', [iface!])!, /p3a: duplicate address detection of fd99::1 is still running/);
  assert.equal(interfaceNotReadyReason('p3a', [{ ...iface!, carrier: false }]), null);
  assert.equal(interfaceNotReadyReason('p3a', [{ ...iface!, ipv6Tentative: undefined }]), null);
});
