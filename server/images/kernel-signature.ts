// Would UEFI Secure Boot start this image's kernel? Its Authenticode signature checked against
// the certificate Debian's shim trusts (shim's vendor certificate: "Debian Secure Boot CA"),
// the key GRUB's shim_lock asks shim to check a kernel with. Read from the stored artifact
// when an image is shown; artifacts are stored by content, so a result is kept per sha256.
import { readFile, stat } from 'node:fs/promises';
import type { X509Certificate } from 'node:crypto';
import { acceptedSignature, checkAuthenticode, shimVendorCertificate } from './authenticode.ts';

/** Where Debian's shim-signed puts the shim bootd serves (boot-services/boot-config/bootloaders.ts). */
export const debianShimPath = '/usr/lib/shim/shimx64.efi.signed';
/** Bigger than any kernel: such an artifact is not read whole into memory to be checked. */
const maxKernelBytes = 256 * 1024 * 1024;

/**
 * trusted: shim accepts it. untrusted: signed, but not by a key shim trusts (or altered after
 * signing). unverifiable: signed, and no shim on this machine to take the trusted certificate
 * from. unreadable: the artifact could not be read.
 */
export type KernelSignatureState = 'trusted' | 'untrusted' | 'unverifiable' | 'unsigned' | 'not-efi' | 'unreadable';

export interface KernelSignature {
  state: KernelSignatureState;
  /** The signing certificate's name, when signed. */
  signer: string | null;
  /** The trusted certificate it chains to, when trusted. */
  trustedBy: string | null;
  /** One sentence for the operator. */
  detail: string;
}

let anchors: Promise<X509Certificate[]> | null = null;
/** shim's vendor certificate, read once; none when shim-signed is not installed on this machine. */
function trustedCertificates(shimPath = process.env.FLEETBOOT_SHIM_PATH ?? debianShimPath): Promise<X509Certificate[]> {
  anchors ??= readFile(shimPath).then((shim) => {
    const cert = shimVendorCertificate(shim);
    return cert ? [cert] : [];
  }, () => []);
  return anchors;
}

const checked = new Map<string, Promise<KernelSignature>>();

export function kernelSignatureOf(artifact: { sha256: string; path: string }): Promise<KernelSignature> {
  let result = checked.get(artifact.sha256);
  if (!result) {
    result = checkKernelFile(artifact.path);
    // A few hundred kernels at most; past that, the oldest result goes.
    if (checked.size >= 512) checked.delete(checked.keys().next().value!);
    checked.set(artifact.sha256, result);
  }
  return result;
}

async function checkKernelFile(file: string): Promise<KernelSignature> {
  let bytes: Buffer;
  try {
    if ((await stat(file)).size > maxKernelBytes) return { state: 'unreadable', signer: null, trustedBy: null, detail: 'too big to be a kernel: not checked' };
    bytes = await readFile(file);
  } catch (err) {
    return { state: 'unreadable', signer: null, trustedBy: null, detail: `could not read the kernel: ${(err as Error).message}` };
  }
  const trusted = await trustedCertificates();
  const report = checkAuthenticode(bytes, trusted);
  if (report.kind === 'not-efi') return { state: 'not-efi', signer: null, trustedBy: null, detail: `not an EFI image (${report.reason}): UEFI can't start it directly and Secure Boot refuses it` };
  if (report.kind === 'unsigned') return { state: 'unsigned', signer: null, trustedBy: null, detail: 'not signed: UEFI Secure Boot refuses it' };
  const good = acceptedSignature(report);
  if (good) return { state: 'trusted', signer: good.signer, trustedBy: good.trustedBy, detail: `signed by ${good.signer}, trusted by shim (${good.trustedBy})` };
  const first = report.signatures[0]!;
  if (trusted.length === 0 && first.digestMatches && first.signatureValid) {
    return { state: 'unverifiable', signer: first.signer, trustedBy: null, detail: `signed by ${first.signer}; not checked against shim: no shim at ${process.env.FLEETBOOT_SHIM_PATH ?? debianShimPath} to take the trusted certificate from (install shim-signed)` };
  }
  return { state: 'untrusted', signer: first.signer, trustedBy: null, detail: `${first.problem ?? 'signature not accepted'}: UEFI Secure Boot refuses it` };
}

/** Why Secure Boot would certainly refuse this kernel, or null when it accepts it or this machine can't tell. */
export function secureBootRefusal(signature: KernelSignature): string | null {
  return signature.state === 'untrusted' || signature.state === 'unsigned' || signature.state === 'not-efi' ? signature.detail : null;
}

/** Statuses of images that may boot a role's hosts next: a Secure Boot role's kernels among them are checked. */
const candidateStatuses = new Set(['ready', 'trial', 'verified']);

/** A Secure Boot role's active image and candidates whose kernels Secure Boot would refuse, with the reason. */
export async function refusedKernelsOfRole<I extends { id: string; status: string; kernel: { sha256: string; path: string } | null }>(
  role: { activeImageId: string | null },
  images: readonly I[],
): Promise<Array<{ image: I; reason: string }>> {
  const checked = await Promise.all(
    images
      .filter((i) => i.kernel && (i.id === role.activeImageId || candidateStatuses.has(i.status)))
      .map(async (image) => ({ image, reason: secureBootRefusal(await kernelSignatureOf(image.kernel!)) })),
  );
  return checked.flatMap(({ image, reason }) => (reason ? [{ image, reason }] : []));
}
