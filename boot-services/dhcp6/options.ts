// DHCPv6 protocol numbers used by bootd (RFC 8415 and the boot options of RFC 5970, RFC 6939):
// message types, option codes, status codes, DUID types, ports and the multicast group. Each
// is named once here with the RFC that defines it.

/** RFC 8415 §7.1: All_DHCP_Relay_Agents_and_Servers, link-scoped. */
export const allRelayAgentsAndServers = 'ff02::1:2';
/** RFC 8415 §7.2: clients listen on 546, servers and relays on 547. */
export const clientPort = 546;
export const serverPort = 547;
/** RFC 8415 §7.6 HOP_COUNT_LIMIT: a Relay-forw with this many hops already is dropped. */
export const hopCountLimit = 8;

/** RFC 8415 §7.3 message types. */
export enum Dhcp6MessageType {
  Solicit = 1,
  Advertise = 2,
  Request = 3,
  Confirm = 4,
  Renew = 5,
  Rebind = 6,
  Reply = 7,
  Release = 8,
  Decline = 9,
  Reconfigure = 10,
  InformationRequest = 11,
  RelayForw = 12,
  RelayRepl = 13,
}

/** Lower-case names for counters and events ("information-request"), made once. */
const messageTypeNames = Array.from({ length: 256 }, (_, t) => {
  const name = Dhcp6MessageType[t];
  return name ? name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase() : `type-${t}`;
});

export function dhcp6MessageTypeName(type: number): string {
  return messageTypeNames[type] ?? `type-${type}`;
}

/** Option codes (IANA "DHCPv6 Option Codes"). */
export enum Dhcp6Option {
  /** RFC 8415 §21.2 */
  ClientId = 1,
  /** RFC 8415 §21.3 */
  ServerId = 2,
  /** RFC 8415 §21.4: identity association for non-temporary addresses. */
  IaNa = 3,
  /** RFC 8415 §21.5 */
  IaTa = 4,
  /** RFC 8415 §21.6: an address inside an IA_NA or IA_TA. */
  IaAddr = 5,
  /** RFC 8415 §21.7: option request option. */
  OptionRequest = 6,
  /** RFC 8415 §21.8 */
  Preference = 7,
  /** RFC 8415 §21.9 */
  ElapsedTime = 8,
  /** RFC 8415 §21.10: the relayed message inside Relay-forw / Relay-repl. */
  RelayMessage = 9,
  /** RFC 8415 §21.11 */
  Authentication = 11,
  /** RFC 8415 §21.12 */
  ServerUnicast = 12,
  /** RFC 8415 §21.13 */
  StatusCode = 13,
  /** RFC 8415 §21.14 */
  RapidCommit = 14,
  /** RFC 8415 §21.15 */
  UserClass = 15,
  /** RFC 8415 §21.16: enterprise number, then length-prefixed class data ("HTTPClient" from UEFI HTTP boot). */
  VendorClass = 16,
  /** RFC 8415 §21.17 */
  VendorOpts = 17,
  /** RFC 8415 §21.18: set by a relay, echoed in the Relay-repl. */
  InterfaceId = 18,
  /** RFC 8415 §21.20 */
  ReconfigureAccept = 20,
  /** RFC 3646 §3 */
  DnsServers = 23,
  /** RFC 3646 §4 */
  DomainList = 24,
  /** RFC 8415 §21.21 */
  IaPd = 25,
  /** RFC 8415 §21.23 */
  InformationRefreshTime = 32,
  /** RFC 4704 */
  ClientFqdn = 39,
  /** RFC 5970 §3.1: the boot file as a URL (tftp://[addr]/file, http://…). */
  BootfileUrl = 59,
  /** RFC 5970 §3.2: parameters for the boot file, each length-prefixed. */
  BootfileParam = 60,
  /** RFC 5970 §3.3: client system architecture types, RFC 4578 numbering. */
  ClientArchType = 61,
  /** RFC 5970 §3.4: network interface identifier (UNDI type and version). */
  NetworkInterfaceId = 62,
  /** RFC 6939 §4: the client's link-layer address, added by the first relay. */
  ClientLinkLayerAddress = 79,
  /** RFC 8415 §21.24 */
  SolMaxRt = 82,
  /** RFC 8415 §21.25 */
  InfMaxRt = 83,
}

/** RFC 8415 §21.13 status codes. */
export enum Dhcp6Status {
  Success = 0,
  UnspecFail = 1,
  NoAddrsAvail = 2,
  NoBinding = 3,
  NotOnLink = 4,
  UseMulticast = 5,
}

/** RFC 8415 §11.1 DUID types (+ RFC 6355 DUID-UUID). */
export enum DuidType {
  LinkLayerPlusTime = 1,
  Enterprise = 2,
  LinkLayer = 3,
  Uuid = 4,
}

/** IANA hardware type for Ethernet (RFC 826), used in DUIDs and option 79. */
export const hardwareTypeEthernet = 1;

/** RFC 8415 §11.1: a DUID is at most 128 bytes after its 2-byte type. */
export const maxDuidBytes = 130;
