// Reads the UDP payloads out of a classic libpcap file (Ethernet link type), so codec tests
// run on the exact bytes real clients sent. Test-only; fixtures come from capture.sh.
import { readFileSync } from 'node:fs';

export interface CapturedDatagram {
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
}

const linkTypeEthernet = 1;
const etherTypeIpv4 = 0x0800;
const etherTypeVlan = 0x8100;
const ipProtocolUdp = 17;

export function readPcapUdp(path: string): CapturedDatagram[] {
  const file = readFileSync(path);
  const magic = file.readUInt32LE(0);
  const littleEndian = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!littleEndian && file.readUInt32BE(0) !== 0xa1b2c3d4 && file.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`${path}: not a pcap file`);
  const u32 = (o: number) => (littleEndian ? file.readUInt32LE(o) : file.readUInt32BE(o));
  if (u32(20) !== linkTypeEthernet) throw new Error(`${path}: link type ${u32(20)} is not Ethernet`);
  const out: CapturedDatagram[] = [];
  let off = 24;
  while (off + 16 <= file.length) {
    const inclLen = u32(off + 8);
    const frame = file.subarray(off + 16, off + 16 + inclLen);
    off += 16 + inclLen;
    let l3 = 14;
    let etherType = frame.readUInt16BE(12);
    if (etherType === etherTypeVlan) { etherType = frame.readUInt16BE(16); l3 = 18; }
    if (etherType !== etherTypeIpv4) continue;
    const ihl = (frame[l3]! & 0x0f) * 4;
    if (frame[l3 + 9] !== ipProtocolUdp) continue;
    const ip = (o: number) => `${frame[o]}.${frame[o + 1]}.${frame[o + 2]}.${frame[o + 3]}`;
    const udp = l3 + ihl;
    const udpLen = frame.readUInt16BE(udp + 4);
    out.push({
      srcIp: ip(l3 + 12),
      dstIp: ip(l3 + 16),
      srcPort: frame.readUInt16BE(udp),
      dstPort: frame.readUInt16BE(udp + 2),
      payload: Buffer.from(frame.subarray(udp + 8, udp + udpLen)),
    });
  }
  return out;
}
