// DHCPv4 protocol numbers used by bootd: option codes, message types, client
// architectures. Each is named once here with the RFC that defines it, so the rest of
// the code never carries a bare protocol number.

/** BOOTP op field (RFC 951, RFC 2131 §2). */
export enum BootpOp {
  Request = 1,
  Reply = 2,
}

/** BOOTP htype for Ethernet (RFC 1700 "Hardware Types"). */
export const hardwareTypeEthernet = 1;
export const ethernetAddressBytes = 6;

/** RFC 2131 §2: the "broadcast" bit of the flags field. */
export const broadcastFlag = 0x8000;

/** RFC 2131 §3: the magic cookie 99.130.83.99 that starts the options field. */
export const magicCookie = 0x63825363;

/** UDP ports (RFC 2131 §4.1). */
export const serverPort = 67;
export const clientPort = 68;

/** DHCP option codes. */
export enum DhcpOption {
  /** RFC 2132 §3.1: alignment filler, no length byte. */
  Pad = 0,
  /** RFC 2132 §3.3 */
  SubnetMask = 1,
  /** RFC 2132 §3.5 */
  Router = 3,
  /** RFC 2132 §3.8 */
  DomainNameServer = 6,
  /** RFC 2132 §3.9: syslog servers (UDP 514, RFC 5426 §3.3). BusyBox 1.35 udhcpc asks with -O 7, exports opt7 (hex). */
  LogServer = 7,
  /** RFC 2132 §3.14 */
  HostName = 12,
  /** RFC 2132 §3.17 */
  DomainName = 15,
  /** RFC 2132 §5.3 */
  BroadcastAddress = 28,
  /** RFC 2132 §8.4; PXE uses it for its discovery control sub-options. */
  VendorSpecific = 43,
  /** RFC 2132 §9.1 */
  RequestedIpAddress = 50,
  /** RFC 2132 §9.2 */
  IpAddressLeaseTime = 51,
  /** RFC 2132 §9.3: 1 = file field holds options, 2 = sname, 3 = both. */
  OptionOverload = 52,
  /** RFC 2132 §9.6 */
  MessageType = 53,
  /** RFC 2132 §9.7 */
  ServerIdentifier = 54,
  /** RFC 2132 §9.8 */
  ParameterRequestList = 55,
  /** RFC 2132 §9.9 */
  Message = 56,
  /** RFC 2132 §9.10 */
  MaximumMessageSize = 57,
  /** RFC 2132 §9.11: T1 */
  RenewalTime = 58,
  /** RFC 2132 §9.12: T2 */
  RebindingTime = 59,
  /** RFC 2132 §9.13: "PXEClient:Arch:xxxxx:UNDI:yyyzzz" from PXE ROMs. */
  VendorClassIdentifier = 60,
  /** RFC 2132 §9.14 */
  ClientIdentifier = 61,
  /** RFC 2132 §9.4 */
  TftpServerName = 66,
  /** RFC 2132 §9.5 */
  BootfileName = 67,
  /** RFC 3004: iPXE sends "iPXE". */
  UserClass = 77,
  /** RFC 3046: relay agent information, echoed back to the relay. */
  RelayAgentInformation = 82,
  /** RFC 4578 §2.1: client system architecture. */
  ClientArchitecture = 93,
  /** RFC 4578 §2.2: client network interface identifier (UNDI version). */
  ClientNetworkInterface = 94,
  /** RFC 4578 §2.3: client machine identifier (UUID/GUID). */
  ClientMachineIdentifier = 97,
  /** iPXE's encapsulated options (its feature flags): present only when the client is iPXE. */
  IpxeEncapsulated = 175,
  /** RFC 2132 §3.2 */
  End = 255,
}

/** RFC 2132 §9.6 (+ RFC 3203 FORCERENEW, RFC 4388 leasequery, RFC 6926 bulk leasequery). */
export enum MessageType {
  Discover = 1,
  Offer = 2,
  Request = 3,
  Decline = 4,
  Ack = 5,
  Nak = 6,
  Release = 7,
  Inform = 8,
}
export const highestMessageType = 18;

/** Lower-case names, made once: they label a counter and an event for every packet. */
const messageTypeNames = Array.from({ length: 256 }, (_, t) => MessageType[t]?.toLowerCase() ?? `type-${t}`);

export function messageTypeName(type: number | null): string {
  if (type === null) return 'bootp';
  return messageTypeNames[type] ?? `type-${type}`;
}

/** RFC 4578 §2.1 and the IANA "Processor Architecture Types" registry. */
export enum ClientArch {
  X86Bios = 0,
  X86Efi32 = 6,
  X64Efi = 7,
  /** EFI byte code; in practice x64 UEFI firmware sends it too. */
  EfiBc = 9,
  Arm32Efi = 10,
  Arm64Efi = 11,
  X64EfiHttp = 16,
}

/** RFC 3046 §2.0 relay agent sub-options. */
export enum RelayAgentSubOption {
  CircuitId = 1,
  RemoteId = 2,
}
