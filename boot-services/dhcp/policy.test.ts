import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getIpOption, getMessageType, getStringOption, getUint32Option, type DhcpPacket } from './codec.ts';
import { MemoryLeaseStore } from './lease-store.ts';
import { ClientArch, DhcpOption, MessageType } from '../../lib/dhcp/options.ts';
import { DhcpPolicy, type PolicyOutcome } from './policy.ts';
import {
  clientRequest, labHost, labNetwork, labView, pxeBiosOptions, remoteNetwork, serverAddress, webRole,
} from './testdata/lab-view.ts';

const config = { serverAddress, httpBaseUrl: 'http://10.66.0.1:8080' };

function policyFor(view = labView(), leases = new MemoryLeaseStore(), now = () => 1_000_000) {
  return { policy: new DhcpPolicy({ view, leases, config, now }), leases };
}

function replied(o: PolicyOutcome): DhcpPacket {
  if (o.result !== 'replied') assert.fail(`expected a reply, got ignored: ${o.reason}`);
  return o.reply;
}

function ignoredReason(o: PolicyOutcome): string {
  if (o.result !== 'ignored') assert.fail(`expected silence, got ${MessageType[o.replyType]}`);
  return o.reason;
}

test('a known BIOS PXE host is offered its reservation, network settings and pxelinux.0', async () => {
  const { policy } = policyFor();
  const offer = replied(await policy.handle(clientRequest({ type: MessageType.Discover, mac: '52:54:00:00:00:01', options: pxeBiosOptions })));
  assert.equal(getMessageType(offer), MessageType.Offer);
  assert.equal(offer.yiaddr, '10.66.0.11');
  assert.equal(getIpOption(offer, DhcpOption.SubnetMask), '255.255.255.0');
  assert.equal(getIpOption(offer, DhcpOption.Router), '10.66.0.254');
  assert.deepEqual([...offer.options.get(DhcpOption.DomainNameServer)!], [10, 66, 0, 53, 10, 66, 0, 54]);
  assert.equal(getStringOption(offer, DhcpOption.DomainName), 'lab.example');
  assert.equal(getStringOption(offer, DhcpOption.HostName), 'web01');
  assert.equal(getIpOption(offer, DhcpOption.ServerIdentifier), serverAddress);
  assert.equal(getUint32Option(offer, DhcpOption.IpAddressLeaseTime), 3600);
  assert.equal(getUint32Option(offer, DhcpOption.RenewalTime), 1800);
  assert.equal(getUint32Option(offer, DhcpOption.RebindingTime), 3150);
  assert.equal(offer.siaddr, '10.66.0.2');
  assert.equal(offer.bootFileName, 'pxelinux.0');
  assert.equal(getStringOption(offer, DhcpOption.BootfileName), 'pxelinux.0');
  assert.equal(getStringOption(offer, DhcpOption.TftpServerName), '10.66.0.2');
  assert.equal(getStringOption(offer, DhcpOption.VendorClassIdentifier), 'PXEClient');
});

test('boot file follows architecture, role and iPXE', async () => {
  const ipxeRole = { ...webRole, bootLoader: 'ipxe' as const };
  const { policy } = policyFor(labView({ roles: [ipxeRole] }));
  const discover = (options: Array<[DhcpOption, Buffer]>) => policy.handle(clientRequest({ type: MessageType.Discover, mac: '52:54:00:00:00:01', options }));
  assert.equal(replied(await discover(pxeBiosOptions)).bootFileName, 'undionly.kpxe');
  const efi = [[DhcpOption.VendorClassIdentifier, Buffer.from('PXEClient:Arch:00007:UNDI:003016')], [DhcpOption.ClientArchitecture, Buffer.from([0, ClientArch.X64Efi])]] as Array<[DhcpOption, Buffer]>;
  assert.equal(replied(await discover(efi)).bootFileName, 'ipxe.efi');
  const ipxe = [...efi, [DhcpOption.UserClass, Buffer.from('iPXE')]] as Array<[DhcpOption, Buffer]>;
  assert.equal(replied(await discover(ipxe)).bootFileName, 'http://10.66.0.1:8080/boot/v1/ipxe/52:54:00:00:00:01');
  // An OS's DHCP client (no PXE options) gets an address and no boot file.
  assert.equal(replied(await discover([])).bootFileName, '');
});

const uefiPxe = [[DhcpOption.VendorClassIdentifier, Buffer.from('PXEClient:Arch:00007:UNDI:003016')], [DhcpOption.ClientArchitecture, Buffer.from([0, ClientArch.X64Efi])]] as Array<[DhcpOption, Buffer]>;
/** What OVMF's HttpBootDxe sends (UEFI spec 2.10 §24.7.2): arch 16 and the HTTPClient vendor class. */
const uefiHttp = [[DhcpOption.VendorClassIdentifier, Buffer.from('HTTPClient:Arch:00016:UNDI:003001')], [DhcpOption.ClientArchitecture, Buffer.from([0, ClientArch.X64EfiHttp])]] as Array<[DhcpOption, Buffer]>;

test('a Secure Boot role\'s UEFI hosts get the signed shim; UEFI HTTP boot gets a URL and HTTPClient back', async () => {
  const sbRole = { ...webRole, uefiBootChain: 'secure_boot' as const };
  const { policy } = policyFor(labView({ roles: [sbRole] }));
  const discover = (options: Array<[DhcpOption, Buffer]>, mac = '52:54:00:00:00:01') => policy.handle(clientRequest({ type: MessageType.Discover, mac, options }));
  const pxe = replied(await discover(uefiPxe));
  assert.equal(pxe.bootFileName, 'shimx64.efi');
  assert.equal(getStringOption(pxe, DhcpOption.VendorClassIdentifier), 'PXEClient');
  const http = replied(await discover(uefiHttp));
  assert.equal(http.bootFileName, 'http://10.66.0.1:8080/shimx64.efi');
  assert.equal(getStringOption(http, DhcpOption.VendorClassIdentifier), 'HTTPClient', 'the firmware drops an offer without it');
  assert.equal(http.options.has(DhcpOption.VendorSpecific), false, 'no PXE discovery control for an HTTP client');
  // BIOS hosts of the role are unchanged.
  assert.equal(replied(await discover(pxeBiosOptions)).bootFileName, 'pxelinux.0');

  const ipxeChain = policyFor().policy;
  assert.equal(replied(await ipxeChain.handle(clientRequest({ type: MessageType.Discover, mac: '52:54:00:00:00:01', options: uefiHttp }))).bootFileName, 'http://10.66.0.1:8080/ipxe.efi');
});

test('a machine without a role gets the chain the DHCP service chose for it (shim when it is installed)', async () => {
  const signed = new DhcpPolicy({ view: labView(), leases: new MemoryLeaseStore(), config, now: () => 1_000_000, uefiChainWithoutRole: 'secure_boot' });
  const unknown = (options: Array<[DhcpOption, Buffer]>) => signed.handle(clientRequest({ type: MessageType.Discover, mac: '52:54:00:99:00:07', options }));
  assert.equal(replied(await unknown(uefiPxe)).bootFileName, 'shimx64.efi');
  assert.equal(replied(await unknown(uefiHttp)).bootFileName, 'http://10.66.0.1:8080/shimx64.efi');
  const { policy } = policyFor();
  assert.equal(replied(await policy.handle(clientRequest({ type: MessageType.Discover, mac: '52:54:00:99:00:07', options: uefiPxe }))).bootFileName, 'ipxe.efi');
});

test('unknown MAC gets a pool address when discovery is on, nothing when off', async () => {
  const { policy } = policyFor();
  const offer = replied(await policy.handle(clientRequest({ type: MessageType.Discover, mac: '52:54:00:99:00:01' })));
  assert.equal(offer.yiaddr, '10.66.0.100');
  assert.equal(offer.options.has(DhcpOption.HostName), false);
  const closed = policyFor(labView({ networks: [labNetwork({ discoveryEnabled: false })] })).policy;
  assert.equal(ignoredReason(await closed.handle(clientRequest({ type: MessageType.Discover, mac: '52:54:00:99:00:01' }))), 'discovery-disabled');
});

test('option 7 (Log Server) names bootd\'s syslog to a client that asks, only while it listens on 514', async () => {
  let logServer: { address: string; port: number } | null = { address: serverAddress, port: 514 };
  const policy = new DhcpPolicy({ view: labView(), leases: new MemoryLeaseStore(), config, now: () => 1_000_000, logServer: () => logServer });
  // What the agent's `udhcpc -O 7` asks for (BusyBox's defaults: 1, 3, 6, 12, 15, 28, 42).
  const udhcpc = [[DhcpOption.ParameterRequestList, Buffer.from([1, 3, 6, 12, 15, 28, 42, DhcpOption.LogServer])]] as Array<[DhcpOption, Buffer]>;
  const ack = async (options: Array<[DhcpOption, Buffer]>) =>
    replied(await policy.handle(clientRequest({ type: MessageType.Request, mac: '52:54:00:00:00:01', serverId: serverAddress, requestedIp: '10.66.0.11', options })));
  assert.equal(getIpOption(await ack(udhcpc), DhcpOption.LogServer), serverAddress);
  assert.equal((await ack(pxeBiosOptions)).options.has(DhcpOption.LogServer), false, 'not asked, not sent');
  logServer = { address: serverAddress, port: 5514 };
  assert.equal((await ack(udhcpc)).options.has(DhcpOption.LogServer), false, 'another port can\'t be said in option 7');
  logServer = null;
  assert.equal((await ack(udhcpc)).options.has(DhcpOption.LogServer), false, 'syslog not listening');
});

test('a host marked not to boot gets no offer', async () => {
  const { policy } = policyFor(labView({ hosts: [labHost({ bootEnabled: false })] }));
  assert.equal(ignoredReason(await policy.handle(clientRequest({ type: MessageType.Discover, mac: '52:54:00:00:00:01' }))), 'boot-disabled');
});

test('REQUEST naming another server gets no answer', async () => {
  const { policy } = policyFor();
  const o = await policy.handle(clientRequest({ type: MessageType.Request, mac: '52:54:00:00:00:01', serverId: '10.66.0.200', requestedIp: '10.66.0.11' }));
  assert.equal(ignoredReason(o), 'other-server');
});

test('INIT-REBOOT: right address ACKed, wrong address or subnet NAKed, unknown client left alone', async () => {
  const { policy } = policyFor();
  const initReboot = (mac: string, ip: string) => policy.handle(clientRequest({ type: MessageType.Request, mac, requestedIp: ip }));
  assert.equal(getMessageType(replied(await initReboot('52:54:00:00:00:01', '10.66.0.11'))), MessageType.Ack);
  const wrong = replied(await initReboot('52:54:00:00:00:01', '10.66.0.12'));
  assert.equal(getMessageType(wrong), MessageType.Nak);
  assert.equal(wrong.yiaddr, '0.0.0.0');
  assert.equal(getStringOption(wrong, DhcpOption.Message), 'not-the-reserved-address');
  assert.equal(getMessageType(replied(await initReboot('52:54:00:00:00:01', '192.168.1.5'))), MessageType.Nak);
  assert.equal(ignoredReason(await initReboot('52:54:00:99:00:02', '10.66.0.101')), 'no-record-of-client');
});

test('pool lease DORA, renewal and release', async () => {
  const { policy, leases } = policyFor();
  const mac = '52:54:00:99:00:03';
  const offer = replied(await policy.handle(clientRequest({ type: MessageType.Discover, mac })));
  const ack = replied(await policy.handle(clientRequest({ type: MessageType.Request, mac, serverId: serverAddress, requestedIp: offer.yiaddr })));
  assert.equal(getMessageType(ack), MessageType.Ack);
  assert.equal(leases.findLeaseByMac(labNetwork().id, mac)?.state, 'bound');
  const renew = replied(await policy.handle(clientRequest({ type: MessageType.Request, mac, ciaddr: offer.yiaddr })));
  assert.equal(getMessageType(renew), MessageType.Ack);
  assert.equal(renew.ciaddr, offer.yiaddr);
  assert.equal(ignoredReason(await policy.handle(clientRequest({ type: MessageType.Release, mac, ciaddr: offer.yiaddr, serverId: serverAddress }))), 'released');
  assert.equal(leases.findLeaseByMac(labNetwork().id, mac)?.state, 'released');
});

test('last pool address: one client wins, the other gets nothing or NAK', async () => {
  const { policy } = policyFor(labView({ networks: [labNetwork({ poolStart: '10.66.0.100', poolEnd: '10.66.0.100' })] }));
  const a = replied(await policy.handle(clientRequest({ type: MessageType.Discover, mac: '52:54:00:99:00:0a' })));
  assert.equal(ignoredReason(await policy.handle(clientRequest({ type: MessageType.Discover, mac: '52:54:00:99:00:0b' }))), 'pool-exhausted');
  // The loser asks for the address anyway (e.g. offered by a peer bootd): NAK, not a duplicate.
  const [first, second] = await Promise.all([
    policy.handle(clientRequest({ type: MessageType.Request, mac: '52:54:00:99:00:0a', serverId: serverAddress, requestedIp: a.yiaddr })),
    policy.handle(clientRequest({ type: MessageType.Request, mac: '52:54:00:99:00:0b', serverId: serverAddress, requestedIp: a.yiaddr })),
  ]);
  assert.equal(getMessageType(replied(first!)), MessageType.Ack);
  assert.equal(getMessageType(replied(second!)), MessageType.Nak);
});

test('a declined address is quarantined and the next DISCOVER gets another', async () => {
  const { policy } = policyFor();
  const mac = '52:54:00:99:00:04';
  const offer = replied(await policy.handle(clientRequest({ type: MessageType.Discover, mac })));
  assert.equal(ignoredReason(await policy.handle(clientRequest({ type: MessageType.Decline, mac, serverId: serverAddress, requestedIp: offer.yiaddr }))), 'declined');
  const next = replied(await policy.handle(clientRequest({ type: MessageType.Discover, mac })));
  assert.notEqual(next.yiaddr, offer.yiaddr);
  const other = replied(await policy.handle(clientRequest({ type: MessageType.Discover, mac: '52:54:00:99:00:05' })));
  assert.notEqual(other.yiaddr, offer.yiaddr);
});

test('a relayed DISCOVER is answered from the relay\'s network with option 82 echoed last', async () => {
  const { policy } = policyFor();
  const circuit = Buffer.from([1, 4, 0x65, 0x74, 0x68, 0x30]);
  const offer = replied(await policy.handle(clientRequest({ type: MessageType.Discover, mac: '52:54:00:99:00:06', giaddr: '10.77.0.1', options: [[DhcpOption.RelayAgentInformation, circuit]] })));
  assert.equal(offer.yiaddr, remoteNetwork().poolStart);
  assert.equal(offer.giaddr, '10.77.0.1');
  assert.equal(getIpOption(offer, DhcpOption.Router), '10.77.0.1');
  assert.deepEqual([...offer.options.keys()].at(-1), DhcpOption.RelayAgentInformation);
  assert.ok(offer.options.get(DhcpOption.RelayAgentInformation)?.equals(circuit));
});

test('INFORM gets configuration without an address or lease time', async () => {
  const { policy } = policyFor();
  const ack = replied(await policy.handle(clientRequest({ type: MessageType.Inform, mac: '52:54:00:00:00:01', ciaddr: '10.66.0.11' })));
  assert.equal(getMessageType(ack), MessageType.Ack);
  assert.equal(ack.yiaddr, '0.0.0.0');
  assert.equal(ack.ciaddr, '10.66.0.11');
  assert.equal(ack.options.has(DhcpOption.IpAddressLeaseTime), false);
  assert.equal(getIpOption(ack, DhcpOption.Router), '10.66.0.254');
});

test('a reservation changed in the view applies to the next DISCOVER', async () => {
  const view = labView();
  const { policy } = policyFor(view);
  const discover = () => policy.handle(clientRequest({ type: MessageType.Discover, mac: '52:54:00:00:00:01' }));
  assert.equal(replied(await discover()).yiaddr, '10.66.0.11');
  view.putHost(labHost({ ip: '10.66.0.42' }));
  assert.equal(replied(await discover()).yiaddr, '10.66.0.42');
});

test('option 82 inserted with giaddr 0 (a snooping switch) is echoed in the OFFER, the ACK and a NAK', async () => {
  const { policy } = policyFor();
  const info = Buffer.from([1, 4, 0x65, 0x74, 0x68, 0x31, 2, 2, 0x0a, 0x0b]);
  const mac = '52:54:00:99:00:82';
  const offer = replied(await policy.handle(clientRequest({ type: MessageType.Discover, mac, options: [[DhcpOption.RelayAgentInformation, info]] })));
  assert.equal(offer.giaddr, '0.0.0.0');
  assert.deepEqual([...offer.options.keys()].at(-1), DhcpOption.RelayAgentInformation);
  assert.ok(offer.options.get(DhcpOption.RelayAgentInformation)?.equals(info));
  const ack = replied(await policy.handle(clientRequest({ type: MessageType.Request, mac, serverId: serverAddress, requestedIp: offer.yiaddr, options: [[DhcpOption.RelayAgentInformation, info]] })));
  assert.equal(getMessageType(ack), MessageType.Ack);
  assert.ok(ack.options.get(DhcpOption.RelayAgentInformation)?.equals(info));
  const nak = replied(await policy.handle(clientRequest({ type: MessageType.Request, mac, requestedIp: '10.99.0.5', options: [[DhcpOption.RelayAgentInformation, info]] })));
  assert.equal(getMessageType(nak), MessageType.Nak);
  assert.ok(nak.options.get(DhcpOption.RelayAgentInformation)?.equals(info));
  // A request without option 82 gets none.
  const plain = replied(await policy.handle(clientRequest({ type: MessageType.Discover, mac: '52:54:00:99:00:83' })));
  assert.equal(plain.options.has(DhcpOption.RelayAgentInformation), false);
});

test('a full pool takes back the oldest offer never requested, once it is old enough, before refusing', async () => {
  let now = 1_000_000;
  const leases = new MemoryLeaseStore();
  const network = labNetwork({ poolStart: '10.66.0.100', poolEnd: '10.66.0.102' });
  const policy = new DhcpPolicy({ view: labView({ networks: [network] }), leases, config, now: () => now });
  const discover = (mac: string) => policy.handle(clientRequest({ type: MessageType.Discover, mac }));
  // A burst of strangers takes the three addresses and never REQUESTs.
  const burst = ['52:54:00:ee:00:01', '52:54:00:ee:00:02', '52:54:00:ee:00:03'];
  const held: string[] = [];
  for (const mac of burst) { held.push(replied(await discover(mac)).yiaddr); now += 100; }
  // One of them completes its DORA: its address is bound, never reclaimed.
  replied(await policy.handle(clientRequest({ type: MessageType.Request, mac: burst[1]!, serverId: serverAddress, requestedIp: held[1]! })));
  // A new client at once: the holds are fresh, so it is refused (the last offers may still be requested).
  assert.equal(ignoredReason(await discover('52:54:00:ee:00:10')), 'pool-exhausted');
  now += 10_000;
  const first = await discover('52:54:00:ee:00:10');
  assert.equal(replied(first).yiaddr, held[0], 'the oldest offer is taken back');
  assert.equal(first.result === 'replied' && first.detail.reclaimedOfferOf, burst[0]);
  assert.equal(replied(await discover('52:54:00:ee:00:11')).yiaddr, held[2], 'then the next oldest; the bound one is skipped');
  assert.equal(ignoredReason(await discover('52:54:00:ee:00:12')), 'pool-exhausted', 'the new offers are fresh: nothing left to take');
  // The client whose offer was taken is NAKed if it asks for it after all, and starts over.
  const late = await policy.handle(clientRequest({ type: MessageType.Request, mac: burst[0]!, serverId: serverAddress, requestedIp: held[0]! }));
  assert.equal(getMessageType(replied(late)), MessageType.Nak);
});
