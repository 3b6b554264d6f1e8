// Authenticode checks against Debian's real EFI binaries: the signed network GRUB (Debian's
// key, which shim's vendor certificate vouches for), shim itself (Microsoft's keys), iPXE
// (unsigned), pxelinux (not EFI); and altered copies of the signed one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { acceptedSignature, checkAuthenticode, readPeLayout, shimVendorCertificate } from './authenticode.ts';

const files = {
  shim: '/usr/lib/shim/shimx64.efi.signed',
  grub: '/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed',
  ipxe: '/usr/lib/ipxe/ipxe.efi',
  pxelinux: '/usr/lib/PXELINUX/pxelinux.0',
};
const missing = Object.values(files).find((f) => !fs.existsSync(f));
const skip = missing ? `${missing} is missing (shim-signed, grub-efi-amd64-signed, ipxe, pxelinux)` : false;
if (skip) console.log(`# skipping Authenticode tests: ${skip}`);

const read = (f: string) => fs.readFileSync(f);

test('shim carries Debian\'s CA as its vendor certificate; Debian\'s GRUB is signed by Debian and trusted through it', { skip }, () => {
  const ca = shimVendorCertificate(read(files.shim));
  assert.match(ca?.subject ?? '', /CN=Debian Secure Boot CA/);
  const report = checkAuthenticode(read(files.grub), [ca!]);
  const accepted = acceptedSignature(report);
  assert.ok(accepted, JSON.stringify(report));
  assert.match(accepted.signer ?? '', /^Debian Secure Boot Signer/);
  assert.equal(accepted.trustedBy, 'Debian Secure Boot CA');
  assert.equal(accepted.digestAlgorithm, 'sha256');
});

test('without the CA the same signature is valid but not trusted', { skip }, () => {
  const report = checkAuthenticode(read(files.grub), []);
  assert.equal(acceptedSignature(report), null);
  assert.ok(report.kind === 'signed' && report.signatures[0]!.signatureValid && report.signatures[0]!.digestMatches);
  assert.match(report.signatures[0]!.problem ?? '', /no trusted certificate/);
});

test('shim is signed by Microsoft, a key Debian\'s CA does not vouch for', { skip }, () => {
  const ca = shimVendorCertificate(read(files.shim))!;
  const report = checkAuthenticode(read(files.shim), [ca]);
  assert.equal(report.kind, 'signed');
  assert.ok(report.kind === 'signed' && report.signatures.every((s) => s.digestMatches && s.signatureValid && /Microsoft/.test(s.issuer ?? '')));
  assert.equal(acceptedSignature(report), null);
});

test('one changed byte in a section breaks the image hash', { skip }, () => {
  const ca = shimVendorCertificate(read(files.shim))!;
  const grub = Buffer.from(read(files.grub));
  const layout = readPeLayout(grub);
  assert.ok(layout.ok);
  const text = layout.value.sections[0]!;
  grub[text.offset + 100]! ^= 0xff;
  const report = checkAuthenticode(grub, [ca]);
  assert.equal(acceptedSignature(report), null);
  assert.ok(report.kind === 'signed');
  assert.equal(report.signatures[0]!.digestMatches, false);
  assert.match(report.signatures[0]!.problem ?? '', /changed after it was signed/);
});

test('iPXE\'s EFI binary is unsigned; pxelinux is not an EFI image; a signature cut off is unsigned', { skip }, () => {
  assert.deepEqual(checkAuthenticode(read(files.ipxe), []), { kind: 'unsigned' });
  assert.equal(checkAuthenticode(read(files.pxelinux), []).kind, 'not-efi');
  const grub = Buffer.from(read(files.grub));
  const layout = readPeLayout(grub);
  assert.ok(layout.ok);
  // What `sbattach --remove` leaves: no security directory entry, no table.
  grub.fill(0, layout.value.securityEntryOffset, layout.value.securityEntryOffset + 8);
  assert.deepEqual(checkAuthenticode(grub.subarray(0, layout.value.certTable.offset), []), { kind: 'unsigned' });
});

test('truncated and corrupted images give a report, never an exception', { skip }, () => {
  const grub = read(files.grub);
  const layout = readPeLayout(grub);
  assert.ok(layout.ok);
  const table = layout.value.certTable.offset;
  for (const cut of [0, 2, 63, 64, 200, 1024, table + 4, table + 20, table + 500, grub.length - 1]) {
    const report = checkAuthenticode(grub.subarray(0, cut), []);
    assert.equal(acceptedSignature(report), null, `cut at ${cut}`);
  }
  for (let i = 0; i < 40; i++) {
    const bad = Buffer.from(grub);
    bad[table + 8 + ((i * 131) % (layout.value.certTable.size - 8))]! ^= 0x5a;
    const report = checkAuthenticode(bad, []);
    assert.ok(report.kind === 'signed' || report.kind === 'unsigned', `corruption ${i}`);
  }
});
