// Authenticode signatures of EFI images (PE/COFF), read and checked the way shim and GRUB's
// shim_lock check a kernel before UEFI Secure Boot lets it run: the image hash (Microsoft
// "Windows Authenticode Portable Executable Signature Format" §"Calculating the PE Image
// Hash"), the PKCS#7 SignedData in the certificate table (RFC 2315 §9), the signer's signature
// over its authenticated attributes, and a chain to a trusted certificate. Pure: bytes in,
// report out; node:crypto does the hashing and the RSA/ECDSA verification.
import { createHash, verify, X509Certificate } from 'node:crypto';

/** One signature found in the image, and how far it checks out. */
export interface AuthenticodeSignature {
  /** The signing certificate's CN (or whole subject), null when it is not in the signature. */
  signer: string | null;
  /** Its issuer's CN. */
  issuer: string | null;
  digestAlgorithm: string;
  /** The hash the signature covers is this file's hash: nothing was changed after signing. */
  digestMatches: boolean;
  /** The signer's key made the signature. */
  signatureValid: boolean;
  /** The trusted certificate the signer chains to (its CN), or null. */
  trustedBy: string | null;
  /** Why the signature doesn't hold, in words, or null. */
  problem: string | null;
}

export type AuthenticodeReport =
  | { kind: 'not-efi'; reason: string }
  | { kind: 'unsigned' }
  | { kind: 'signed'; signatures: AuthenticodeSignature[] };

/** A signature that UEFI Secure Boot (through shim) would accept: intact, valid and trusted. */
export function acceptedSignature(report: AuthenticodeReport): AuthenticodeSignature | null {
  if (report.kind !== 'signed') return null;
  return report.signatures.find((s) => s.digestMatches && s.signatureValid && s.trustedBy !== null) ?? null;
}

const oids = {
  signedData: '1.2.840.113549.1.7.2',
  spcIndirectData: '1.3.6.1.4.1.311.2.1.4',
  messageDigest: '1.2.840.113549.1.9.4',
} as const;

/** Digest algorithm OIDs (RFC 5754 §2, RFC 3279 §2.2.1) → node:crypto names. */
const digestNames: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** WIN_CERTIFICATE wCertificateType for a PKCS#7 SignedData (PE/COFF spec "The Attribute Certificate Table"). */
const certTypePkcsSignedData = 0x0002;
/** IMAGE_DIRECTORY_ENTRY_SECURITY, the fifth data directory. */
const securityDirectoryIndex = 4;

interface PeLayout {
  checksumOffset: number;
  securityEntryOffset: number;
  sizeOfHeaders: number;
  /** File offset and size of the certificate table (0, 0 when there is none). */
  certTable: { offset: number; size: number };
  sections: Array<{ offset: number; size: number }>;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The parts of the PE headers the image hash and the certificate table need. */
export function readPeLayout(file: Buffer): Parsed<PeLayout> {
  if (file.length < 64 || file.toString('latin1', 0, 2) !== 'MZ') return { ok: false, reason: 'no MZ header (not a PE/EFI image)' };
  const pe = file.readUInt32LE(0x3c);
  if (pe + 24 > file.length || file.toString('latin1', pe, pe + 4) !== 'PE\0\0') return { ok: false, reason: 'no PE header (a kernel without the EFI stub?)' };
  const sectionCount = file.readUInt16LE(pe + 6);
  const optionalSize = file.readUInt16LE(pe + 20);
  const opt = pe + 24;
  if (opt + optionalSize > file.length || optionalSize < 96) return { ok: false, reason: 'truncated optional header' };
  const magic = file.readUInt16LE(opt);
  if (magic !== 0x10b && magic !== 0x20b) return { ok: false, reason: `unknown optional header magic 0x${magic.toString(16)}` };
  // PE32 and PE32+ differ in where the data directories start (the 64-bit fields before them).
  const directories = opt + (magic === 0x20b ? 112 : 96);
  const directoryCount = file.readUInt32LE(directories - 4);
  const securityEntryOffset = directories + securityDirectoryIndex * 8;
  const hasSecurity = directoryCount > securityDirectoryIndex && securityEntryOffset + 8 <= opt + optionalSize;
  const certTable = hasSecurity ? { offset: file.readUInt32LE(securityEntryOffset), size: file.readUInt32LE(securityEntryOffset + 4) } : { offset: 0, size: 0 };
  if (certTable.size && certTable.offset + certTable.size > file.length) return { ok: false, reason: 'certificate table past the end of the file' };
  const sections: PeLayout['sections'] = [];
  const table = opt + optionalSize;
  if (table + sectionCount * 40 > file.length) return { ok: false, reason: 'truncated section table' };
  for (let i = 0; i < sectionCount; i++) {
    const at = table + i * 40;
    const size = file.readUInt32LE(at + 16);
    const offset = file.readUInt32LE(at + 20);
    if (size === 0) continue;
    if (offset + size > file.length) return { ok: false, reason: 'a section past the end of the file' };
    sections.push({ offset, size });
  }
  sections.sort((a, b) => a.offset - b.offset);
  return { ok: true, value: { checksumOffset: opt + 64, securityEntryOffset, sizeOfHeaders: file.readUInt32LE(opt + 60), certTable, sections } };
}

/** The Authenticode image hash: headers without checksum and certificate entry, sections in file order, trailing data before the table. */
export function peImageHash(file: Buffer, layout: PeLayout, algorithm: string): Buffer {
  const hash = createHash(algorithm);
  hash.update(file.subarray(0, layout.checksumOffset));
  hash.update(file.subarray(layout.checksumOffset + 4, layout.securityEntryOffset));
  hash.update(file.subarray(layout.securityEntryOffset + 8, layout.sizeOfHeaders));
  let hashed = layout.sizeOfHeaders;
  for (const s of layout.sections) {
    hash.update(file.subarray(s.offset, s.offset + s.size));
    hashed += s.size;
  }
  const end = file.length - layout.certTable.size;
  if (end > hashed) hash.update(file.subarray(hashed, end));
  return hash.digest();
}

/** A DER element: where its tag, contents and end are in the buffer. */
interface Der {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

function readDer(buf: Buffer, at: number, limit = buf.length): Der {
  if (at + 2 > limit) throw new Error('truncated DER');
  const tag = buf[at]!;
  let length = buf[at + 1]!;
  let contentStart = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    // DER never uses the indefinite form (0x80); more than 4 length bytes is not a signature.
    if (bytes === 0 || bytes > 4 || contentStart + bytes > limit) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + buf[contentStart + i]!;
    contentStart += bytes;
  }
  const end = contentStart + length;
  if (end > limit) throw new Error('DER element past its parent');
  return { tag, start: at, contentStart, end };
}

function childrenOf(buf: Buffer, node: Der): Der[] {
  const out: Der[] = [];
  for (let at = node.contentStart; at < node.end;) {
    const child = readDer(buf, at, node.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

function expectTag(node: Der | undefined, tag: number, what: string): Der {
  if (!node || node.tag !== tag) throw new Error(`${what}: expected tag 0x${tag.toString(16)}`);
  return node;
}

function oidOf(buf: Buffer, node: Der): string {
  const bytes = buf.subarray(node.contentStart, node.end);
  const parts = [Math.floor(bytes[0]! / 40), bytes[0]! % 40];
  let value = 0;
  for (const b of bytes.subarray(1)) {
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

const tags = { integer: 0x02, octetString: 0x04, oid: 0x06, sequence: 0x30, set: 0x31, context0: 0xa0, context1: 0xa1 } as const;

function commonName(dn: string): string {
  return /(?:^|\n)CN=([^\n]+)/.exec(dn)?.[1] ?? dn.replace(/\n/g, ', ');
}

/** Serial numbers as node:crypto prints them: upper-case hex without leading zeros. */
function serialHex(bytes: Buffer): string {
  return bytes.toString('hex').toUpperCase().replace(/^0+(?=.)/, '');
}

/** Checks one PKCS#7 SignedData against the file's layout and the trusted certificates. */
function checkSignedData(file: Buffer, layout: PeLayout, der: Buffer, trusted: readonly X509Certificate[]): AuthenticodeSignature {
  const contentInfo = childrenOf(der, expectTag(readDer(der, 0), tags.sequence, 'ContentInfo'));
  if (oidOf(der, expectTag(contentInfo[0], tags.oid, 'contentType')) !== oids.signedData) throw new Error('not a PKCS#7 SignedData');
  const signedData = childrenOf(der, expectTag(childrenOf(der, expectTag(contentInfo[1], tags.context0, 'content'))[0], tags.sequence, 'SignedData'));
  // RFC 2315 §9.1: version, digestAlgorithms, contentInfo, [0] certificates, [1] crls, signerInfos.
  const inner = childrenOf(der, expectTag(signedData[2], tags.sequence, 'contentInfo'));
  if (oidOf(der, expectTag(inner[0], tags.oid, 'contentType')) !== oids.spcIndirectData) throw new Error('content is not SpcIndirectDataContent');
  const indirect = expectTag(childrenOf(der, expectTag(inner[1], tags.context0, 'content'))[0], tags.sequence, 'SpcIndirectDataContent');
  const digestInfo = childrenOf(der, expectTag(childrenOf(der, indirect)[1], tags.sequence, 'DigestInfo'));
  const digestOid = oidOf(der, expectTag(childrenOf(der, expectTag(digestInfo[0], tags.sequence, 'digestAlgorithm'))[0], tags.oid, 'algorithm'));
  const algorithm = digestNames[digestOid];
  if (!algorithm) throw new Error(`unknown digest algorithm ${digestOid}`);
  const signedDigest = der.subarray(digestInfo[1]!.contentStart, digestInfo[1]!.end);
  const digestMatches = peImageHash(file, layout, algorithm).equals(signedDigest);

  const certificates: X509Certificate[] = [];
  const certBag = signedData.find((n) => n.tag === tags.context0);
  for (const c of certBag ? childrenOf(der, certBag) : []) {
    try { certificates.push(new X509Certificate(der.subarray(c.start, c.end))); } catch { /* an unreadable certificate is no signer */ }
  }
  const signerInfos = childrenOf(der, expectTag(signedData[signedData.length - 1], tags.set, 'signerInfos'));
  const signerInfo = childrenOf(der, expectTag(signerInfos[0], tags.sequence, 'SignerInfo'));
  const issuerAndSerial = childrenOf(der, expectTag(signerInfo[1], tags.sequence, 'issuerAndSerialNumber'));
  const serial = serialHex(der.subarray(issuerAndSerial[1]!.contentStart, issuerAndSerial[1]!.end));
  const signerCert = certificates.find((c) => c.serialNumber.replace(/^0+(?=.)/, '').toUpperCase() === serial) ?? null;
  const attributes = expectTag(signerInfo[3], tags.context0, 'authenticatedAttributes');
  const encryptedDigest = expectTag(signerInfo[5], tags.octetString, 'encryptedDigest');
  const report: AuthenticodeSignature = {
    signer: signerCert ? commonName(signerCert.subject) : null, issuer: signerCert ? commonName(signerCert.issuer) : null,
    digestAlgorithm: algorithm, digestMatches, signatureValid: false, trustedBy: null, problem: null,
  };
  if (!digestMatches) report.problem = 'the file changed after it was signed (its hash is not the signed one)';
  if (!signerCert) {
    report.problem ??= 'the signing certificate is not in the signature';
    return report;
  }
  // Authenticode: messageDigest covers SpcIndirectDataContent's contents, without its tag and length.
  const contentDigest = createHash(algorithm).update(der.subarray(indirect.contentStart, indirect.end)).digest();
  const messageDigest = childrenOf(der, attributes).map((a) => childrenOf(der, a)).find((a) => a[0] && oidOf(der, a[0]) === oids.messageDigest);
  const value = messageDigest?.[1] ? childrenOf(der, messageDigest[1])[0] : undefined;
  const attributesMatch = value !== undefined && der.subarray(value.contentStart, value.end).equals(contentDigest);
  // RFC 2315 §9.3: the signature is over the attributes' DER with the SET OF tag, not [0] IMPLICIT.
  const signedBytes = Buffer.from(der.subarray(attributes.start, attributes.end));
  signedBytes[0] = tags.set;
  let signatureOk = false;
  try {
    signatureOk = verify(algorithm, signedBytes, signerCert.publicKey, der.subarray(encryptedDigest.contentStart, encryptedDigest.end));
  } catch { /* a key type node can't use is no valid signature */ }
  report.signatureValid = attributesMatch && signatureOk;
  if (!report.signatureValid) report.problem ??= 'the signature does not verify with the signer\'s key';
  try {
    report.trustedBy = chainToTrusted(signerCert, certificates, trusted);
  } catch { /* a certificate node can't check vouches for nothing */ }
  if (!report.trustedBy) report.problem ??= `signed by ${report.signer}, which no trusted certificate here vouches for`;
  return report;
}

/** Walks issuer links through the signature's own certificates up to a trusted one (its CN), at most 8 steps. */
function chainToTrusted(cert: X509Certificate, bag: readonly X509Certificate[], trusted: readonly X509Certificate[]): string | null {
  let current = cert;
  for (let depth = 0; depth < 8; depth++) {
    for (const anchor of trusted) {
      if (current.fingerprint256 === anchor.fingerprint256) return commonName(anchor.subject);
      if (current.checkIssued(anchor) && current.verify(anchor.publicKey)) return commonName(anchor.subject);
    }
    const parent = bag.find((c) => c !== current && current.checkIssued(c) && current.verify(c.publicKey));
    if (!parent) return null;
    current = parent;
  }
  return null;
}

/** Reads and checks every Authenticode signature of an EFI image. */
export function checkAuthenticode(file: Buffer, trusted: readonly X509Certificate[]): AuthenticodeReport {
  const layout = readPeLayout(file);
  if (!layout.ok) return { kind: 'not-efi', reason: layout.reason };
  const { offset, size } = layout.value.certTable;
  if (size === 0) return { kind: 'unsigned' };
  const signatures: AuthenticodeSignature[] = [];
  // WIN_CERTIFICATE entries: dwLength (header included), wRevision, wCertificateType, then the bytes; 8-byte aligned.
  for (let at = offset; at + 8 <= offset + size;) {
    const length = file.readUInt32LE(at);
    if (length < 8 || at + length > offset + size) break;
    if (file.readUInt16LE(at + 6) === certTypePkcsSignedData) {
      try {
        signatures.push(checkSignedData(file, layout.value, file.subarray(at + 8, at + length), trusted));
      } catch (err) {
        signatures.push({ signer: null, issuer: null, digestAlgorithm: '', digestMatches: false, signatureValid: false, trustedBy: null, problem: `unreadable signature: ${(err as Error).message}` });
      }
    }
    at += Math.ceil(length / 8) * 8;
  }
  return signatures.length ? { kind: 'signed', signatures } : { kind: 'unsigned' };
}

/**
 * The certificate shim trusts besides the firmware's db: its vendor certificate, in the
 * `.vendor_cert` section (shim's cert_table: authorized size, deauthorized size, authorized
 * offset, deauthorized offset, each u32, offsets from the section start). Debian's shim
 * carries "Debian Secure Boot CA", which signs Debian's GRUB and kernels.
 */
export function shimVendorCertificate(shim: Buffer): X509Certificate | null {
  const layout = readPeLayout(shim);
  if (!layout.ok) return null;
  const pe = shim.readUInt32LE(0x3c);
  const table = pe + 24 + shim.readUInt16LE(pe + 20);
  for (let i = 0; i < shim.readUInt16LE(pe + 6); i++) {
    const at = table + i * 40;
    if (sectionName(shim, pe, at) !== '.vendor_cert') continue;
    const start = shim.readUInt32LE(at + 20);
    const size = shim.readUInt32LE(at + 16);
    if (start + 16 > shim.length) return null;
    const certSize = shim.readUInt32LE(start);
    const certOffset = shim.readUInt32LE(start + 8);
    if (certSize === 0 || certOffset + certSize > size) return null;
    try {
      return new X509Certificate(shim.subarray(start + certOffset, start + certOffset + certSize));
    } catch {
      return null;
    }
  }
  return null;
}

/** A section's name; GNU ld writes names over 8 bytes as "/<offset>" into the COFF string table. */
function sectionName(file: Buffer, pe: number, header: number): string {
  const short = file.toString('latin1', header, header + 8).replace(/\0+$/, '');
  const long = /^\/(\d+)$/.exec(short);
  if (!long) return short;
  // The string table follows the symbol table (PointerToSymbolTable, NumberOfSymbols of 18 bytes).
  const start = file.readUInt32LE(pe + 12) + file.readUInt32LE(pe + 16) * 18 + Number(long[1]);
  if (start >= file.length) return short;
  const end = file.indexOf(0, start);
  return file.toString('latin1', start, end < 0 ? Math.min(file.length, start + 64) : end);
}
