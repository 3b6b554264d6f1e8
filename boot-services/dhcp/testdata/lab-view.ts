// A small boot network as plain view records, and request builders, for policy/server unit tests.
import type { HostView, NetworkView, RoleView } from '../../../lib/boot/boot-view.ts';
import { ViewIndex } from '../../../lib/boot/view-index.ts';
import { ipToBuffer, macToChaddr, type DhcpPacket } from '../codec.ts';
import { BootpOp, DhcpOption, MessageType } from '../../../lib/dhcp/options.ts';

export const serverAddress = '10.66.0.1';

export function labNetwork(over: Partial<NetworkView> = {}): NetworkView {
  return {
    id: '00000000-0000-4000-8000-000000000001', name: 'lab', cidr: '10.66.0.0/24', gateway: '10.66.0.254',
    dnsServers: ['10.66.0.53', '10.66.0.54'], domain: 'lab.example', bootServer: '10.66.0.2',
    poolStart: '10.66.0.100', poolEnd: '10.66.0.102', leaseSeconds: 3600, relayAddresses: [], discoveryEnabled: true, servedBy: [],
    ipv6Prefix: null, ipv6PoolStart: null, ipv6PoolEnd: null, ipv6BootServer: null, ...over,
  };
}

export function remoteNetwork(over: Partial<NetworkView> = {}): NetworkView {
  return labNetwork({ id: '00000000-0000-4000-8000-000000000002', name: 'remote', cidr: '10.77.0.0/24', gateway: '10.77.0.1', bootServer: null, poolStart: '10.77.0.100', poolEnd: '10.77.0.150', relayAddresses: ['10.77.0.1'], ...over });
}

export const webRole: RoleView = {
  id: '00000000-0000-4000-8000-00000000a001', name: 'web', rootMode: 'ram', bootLoader: 'pxelinux', uefiBootChain: 'ipxe', cmdlineTemplate: '',
  nfsExport: null, diskRoot: null, healthCheck: null, activeImageId: null, stallSeconds: 300,
};

export function labHost(over: Partial<HostView> = {}): HostView {
  return {
    id: '00000000-0000-4000-8000-00000000b001', hostname: 'web01', mac: '52:54:00:00:00:01', ip: '10.66.0.11',
    networkId: labNetwork().id, roleId: webRole.id, spare: false, bootEnabled: true, imageOverrideId: null, bootOverride: null,
    state: 'registered', ...over,
  };
}

export function labView(opts: { networks?: NetworkView[]; hosts?: HostView[]; roles?: RoleView[] } = {}): ViewIndex {
  const v = new ViewIndex();
  for (const n of opts.networks ?? [labNetwork(), remoteNetwork()]) v.putNetwork(n);
  for (const r of opts.roles ?? [webRole]) v.putRole(r);
  for (const h of opts.hosts ?? [labHost()]) v.putHost(h);
  return v;
}

export interface RequestShape {
  type: MessageType;
  mac: string;
  xid?: number;
  ciaddr?: string;
  giaddr?: string;
  flags?: number;
  options?: Array<[DhcpOption | number, Buffer]>;
  requestedIp?: string;
  serverId?: string;
}

export function clientRequest(r: RequestShape): DhcpPacket {
  const options = new Map<number, Buffer>([[DhcpOption.MessageType, Buffer.from([r.type])]]);
  if (r.requestedIp) options.set(DhcpOption.RequestedIpAddress, ipToBuffer(r.requestedIp));
  if (r.serverId) options.set(DhcpOption.ServerIdentifier, ipToBuffer(r.serverId));
  for (const [code, value] of r.options ?? []) options.set(code, value);
  return {
    op: BootpOp.Request, htype: 1, hlen: 6, hops: r.giaddr ? 1 : 0, xid: r.xid ?? 0x1234, secs: 0, flags: r.flags ?? 0,
    ciaddr: r.ciaddr ?? '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: r.giaddr ?? '0.0.0.0',
    chaddr: macToChaddr(r.mac), serverName: '', bootFileName: '', options,
  };
}

/** Options a BIOS PXE ROM sends (PXE spec 2.1). */
export const pxeBiosOptions: Array<[DhcpOption, Buffer]> = [
  [DhcpOption.VendorClassIdentifier, Buffer.from('PXEClient:Arch:00000:UNDI:002001')],
  [DhcpOption.ClientArchitecture, Buffer.from([0, 0])],
  [DhcpOption.ParameterRequestList, Buffer.from([1, 3, 6, 12, 15, 66, 67])],
];
