import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  decodeDhcp6, decodeIaNa, decodeStatus, duidLinkLayer, encodeDhcp6, encodeIaNa, encodeOption, encodeStatus, encodeVendorClass,
  getClientArchTypes, getOption, getOptions, getRequestedOptions, getVendorClass, parseClientLinkLayerAddress, parseDuid,
  type Dhcp6ClientMessage, type Dhcp6Message, type Dhcp6RelayMessage,
} from './codec.ts';
import { Dhcp6MessageType, Dhcp6Option, Dhcp6Status, DuidType, dhcp6MessageTypeName } from './options.ts';

/** testdata/README.md says where each capture comes from. */
const fixture = (name: string) => Buffer.from(fs.readFileSync(fileURLToPath(new URL(`./testdata/${name}`, import.meta.url)), 'utf8').trim(), 'hex');
const fixtures = ['dhclient-solicit.hex', 'dhcrelay-relay-forw-solicit.hex'];

function decodeOk(bytes: Buffer): Dhcp6Message {
  const r = decodeDhcp6(bytes);
  if (!r.ok) assert.fail(`decode failed: ${r.reason}`);
  return r.message;
}

test('dhclient -6 Solicit decodes: DUID-LLT with its MAC, ORO, elapsed time, one IA_NA', () => {
  const m = decodeOk(fixture('dhclient-solicit.hex')) as Dhcp6ClientMessage;
  assert.equal(m.kind, 'client');
  assert.equal(m.msgType, Dhcp6MessageType.Solicit);
  assert.equal(m.transactionId, 0xdc6572);
  const duid = parseDuid(getOption(m.options, Dhcp6Option.ClientId)!);
  assert.equal(duid?.type, DuidType.LinkLayerPlusTime);
  assert.equal(duid?.mac, '52:54:00:77:00:01');
  assert.deepEqual(getRequestedOptions(m.options), [23, 24, 39, 31]);
  assert.equal(getOption(m.options, Dhcp6Option.ElapsedTime)?.readUInt16BE(0), 0);
  const ias = getOptions(m.options, Dhcp6Option.IaNa).map(decodeIaNa);
  assert.deepEqual(ias, [{ iaid: 0x00770001, t1Seconds: 3600, t2Seconds: 5400, addresses: [], options: [] }]);
  assert.equal(getOption(m.options, Dhcp6Option.RapidCommit), null);
});

test('dhcrelay -6 Relay-forw decodes with the Solicit inside, its link and peer address and interface-id', () => {
  const m = decodeOk(fixture('dhcrelay-relay-forw-solicit.hex')) as Dhcp6RelayMessage;
  assert.equal(m.kind, 'relay');
  assert.equal(m.msgType, Dhcp6MessageType.RelayForw);
  assert.equal(m.hopCount, 0);
  assert.equal(m.linkAddress, 'fd77:99::fe');
  assert.equal(m.peerAddress, 'fe80::5054:ff:fe77:2');
  assert.deepEqual(getOption(m.options, Dhcp6Option.InterfaceId), Buffer.from('01000000', 'hex'));
  assert.equal(getOption(m.options, Dhcp6Option.RelayMessage), null, 'the relay message is decoded into inner, not left among the options');
  const inner = m.inner as Dhcp6ClientMessage;
  assert.equal(inner.msgType, Dhcp6MessageType.Solicit);
  const duid = parseDuid(getOption(inner.options, Dhcp6Option.ClientId)!);
  assert.equal(duid?.type, DuidType.LinkLayer);
  assert.equal(duid?.mac, '52:54:00:77:00:02');
});

test('every fixture encodes back to its own bytes', () => {
  for (const name of fixtures) {
    const bytes = fixture(name);
    assert.deepEqual(encodeDhcp6(decodeOk(bytes)), bytes, name);
  }
});

test('truncated copies of every fixture give a reason, never an exception', () => {
  for (const name of fixtures) {
    const bytes = fixture(name);
    for (let n = 0; n < bytes.length; n++) {
      const r = decodeDhcp6(bytes.subarray(0, n));
      // Cutting exactly between two options leaves a well-formed shorter message: only the others must fail.
      if (r.ok) {
        assert.ok(n >= 4, `${name} cut to ${n} bytes decoded`);
        continue;
      }
      assert.match(r.reason, /^[a-z0-9-]+$/i, `${name} cut to ${n}`);
    }
  }
});

test('corrupted copies of every fixture (each byte set to 0x00, 0xff, flipped) never throw', () => {
  for (const name of fixtures) {
    const bytes = fixture(name);
    for (let i = 0; i < bytes.length; i++) {
      for (const v of [0x00, 0xff, bytes[i]! ^ 0x80]) {
        const copy = Buffer.from(bytes);
        copy[i] = v;
        const r = decodeDhcp6(copy);
        if (!r.ok) assert.equal(typeof r.reason, 'string');
      }
    }
  }
});

test('malformed messages give named reasons', () => {
  assert.deepEqual(decodeDhcp6(Buffer.alloc(0)), { ok: false, reason: 'empty' });
  assert.deepEqual(decodeDhcp6(Buffer.from([0, 1, 2, 3])), { ok: false, reason: 'bad-message-type' });
  assert.deepEqual(decodeDhcp6(Buffer.from([1, 0, 0])), { ok: false, reason: 'truncated-header' });
  assert.deepEqual(decodeDhcp6(Buffer.from([1, 0, 0, 1, 0, 1, 0])), { ok: false, reason: 'truncated-option-header' });
  assert.deepEqual(decodeDhcp6(Buffer.from([1, 0, 0, 1, 0, 1, 0, 9, 0])), { ok: false, reason: 'truncated-option-ClientId' });
  assert.deepEqual(decodeDhcp6(Buffer.from([1, 0, 0, 1, 0, 8, 0, 1, 0])), { ok: false, reason: 'bad-length-ElapsedTime' });
  assert.deepEqual(decodeDhcp6(Buffer.from([1, 0, 0, 1, 0, 14, 0, 1, 0])), { ok: false, reason: 'bad-length-RapidCommit' });
  assert.deepEqual(decodeDhcp6(Buffer.from([12, 0, 1, 2])), { ok: false, reason: 'truncated-relay-header' });
  const relayWithout = Buffer.alloc(34);
  relayWithout[0] = Dhcp6MessageType.RelayForw;
  assert.deepEqual(decodeDhcp6(relayWithout), { ok: false, reason: 'relay-without-message' });
  // A relay message whose inner message is broken names the inner reason.
  const broken = encodeDhcp6({ kind: 'relay', msgType: Dhcp6MessageType.RelayForw, hopCount: 0, linkAddress: '::', peerAddress: '::', options: [], inner: { kind: 'client', msgType: 1, transactionId: 1, options: [] } });
  broken[broken.length - 4] = 0; // the inner message's type byte
  assert.deepEqual(decodeDhcp6(broken), { ok: false, reason: 'relayed-bad-message-type' });
});

test('relays nested deeper than HOP_COUNT_LIMIT are refused', () => {
  let m: Dhcp6Message = { kind: 'client', msgType: Dhcp6MessageType.Solicit, transactionId: 7, options: [] };
  for (let i = 0; i < 9; i++) m = { kind: 'relay', msgType: Dhcp6MessageType.RelayForw, hopCount: i, linkAddress: '::', peerAddress: 'fe80::1', options: [], inner: m };
  assert.deepEqual(decodeDhcp6(encodeDhcp6(m)), { ok: true, message: m });
  m = { kind: 'relay', msgType: Dhcp6MessageType.RelayForw, hopCount: 9, linkAddress: '::', peerAddress: 'fe80::1', options: [], inner: m };
  assert.deepEqual(decodeDhcp6(encodeDhcp6(m)), { ok: false, reason: 'relayed-relay-nesting-too-deep' });
});

test('IA_NA with an address and a status round-trips', () => {
  const ia = { iaid: 42, t1Seconds: 300, t2Seconds: 480, addresses: [{ address: 'fd77:77::100', preferredSeconds: 600, validSeconds: 900, options: [] }], options: [{ code: Dhcp6Option.StatusCode, value: encodeStatus(Dhcp6Status.Success, 'ok') }] };
  assert.deepEqual(decodeIaNa(encodeIaNa(ia)), ia);
  assert.equal(decodeIaNa(Buffer.alloc(11)), null);
  // An IAADDR shorter than its fixed 24 bytes makes the IA malformed.
  assert.equal(decodeIaNa(Buffer.concat([Buffer.alloc(12), encodeOption(Dhcp6Option.IaAddr, Buffer.alloc(10))])), null);
  assert.deepEqual(decodeStatus(encodeStatus(Dhcp6Status.NoAddrsAvail, 'pool full')), { code: 2, message: 'pool full' });
});

test('DUIDs: LL and LLT give their MAC, EN and UUID none', () => {
  assert.deepEqual(parseDuid(duidLinkLayer('52:54:00:aa:bb:cc')), { type: DuidType.LinkLayer, mac: '52:54:00:aa:bb:cc', hex: '00030001525400aabbcc' });
  assert.equal(parseDuid(Buffer.from('000100010000000152540000aa01', 'hex'))?.mac, '52:54:00:00:aa:01');
  assert.equal(parseDuid(Buffer.from('00020000000901020304', 'hex'))?.mac, null);
  const uuid = parseDuid(Buffer.from(`0004${'11'.repeat(16)}`, 'hex'));
  assert.equal(uuid?.type, DuidType.Uuid);
  assert.equal(uuid?.mac, null);
  assert.equal(parseDuid(Buffer.from('0003', 'hex')), null);
});

test('boot options: client architecture (61), vendor class (16), client link-layer address (79)', () => {
  const options = [
    { code: Dhcp6Option.ClientArchType, value: Buffer.from('00100007', 'hex') },
    { code: Dhcp6Option.VendorClass, value: encodeVendorClass({ enterprise: 343, classes: ['HTTPClient:Arch:00016:UNDI:003001'] }) },
  ];
  assert.deepEqual(getClientArchTypes(options), [16, 7]);
  assert.deepEqual(getVendorClass(options), { enterprise: 343, classes: ['HTTPClient:Arch:00016:UNDI:003001'] });
  assert.equal(getVendorClass([{ code: Dhcp6Option.VendorClass, value: Buffer.from('0000015700ff41', 'hex') }]), null);
  assert.equal(parseClientLinkLayerAddress(Buffer.from('0001525400112233', 'hex')), '52:54:00:11:22:33');
  assert.equal(parseClientLinkLayerAddress(Buffer.from('0006525400112233', 'hex')), null);
});

test('message type names for counters and events', () => {
  assert.equal(dhcp6MessageTypeName(Dhcp6MessageType.InformationRequest), 'information-request');
  assert.equal(dhcp6MessageTypeName(Dhcp6MessageType.RelayForw), 'relay-forw');
  assert.equal(dhcp6MessageTypeName(200), 'type-200');
});
