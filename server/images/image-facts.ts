// The facts lib/boot/image-needs.ts judges an image by, measured here: the RAM its ram root
// needs (from the rootfs's unpacked size, ram-fit.ts) and UEFI Secure Boot's verdict on its
// kernel (kernel-signature.ts, cached by sha256). A fact this machine can't tell is left out.
import type { ImageFacts } from '../../lib/boot/image-needs.ts';
import { kernelSignatureOf, secureBootRefusal, type KernelSignature } from './kernel-signature.ts';
import { memoryNeededForRoot } from './ram-fit.ts';

interface ImageArtifacts {
  kernel: { sha256: string; path: string } | null;
  rootfs: { unpackedBytes: bigint | null } | null;
}

/** null: Secure Boot accepts it; a sentence: it refuses it; undefined: not known here (no shim to check against, unreadable). */
export function secureBootVerdict(signature: KernelSignature): string | null | undefined {
  if (signature.state === 'trusted') return null;
  return secureBootRefusal(signature) ?? undefined;
}

export async function imageFactsOf(image: ImageArtifacts, role: { rootMode: string }, opts: { signature?: boolean } = {}): Promise<ImageFacts> {
  const facts: ImageFacts = {};
  if (role.rootMode === 'ram' && image.rootfs?.unpackedBytes != null) facts.ramNeedBytes = memoryNeededForRoot(Number(image.rootfs.unpackedBytes));
  if (image.kernel && opts.signature !== false) {
    const verdict = secureBootVerdict(await kernelSignatureOf(image.kernel));
    if (verdict !== undefined) facts.secureBootRefusal = verdict;
  }
  return facts;
}
