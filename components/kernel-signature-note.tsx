// An image's kernel signature as UEFI Secure Boot sees it (server/images/kernel-signature.ts),
// and a warning when the image's role boots UEFI hosts through the Secure Boot chain and the
// kernel would be refused there.
import { Badge, type BadgeTone } from './badge.tsx';

export interface KernelSignatureNoteProps {
  signature: { state: string; detail: string };
  /** The role boots its UEFI hosts with shim → GRUB (uefiBootChain secure_boot) and Secure Boot would refuse this kernel. */
  refusedByRole: boolean;
  roleName: string;
}

const labels: Record<string, { tone: BadgeTone; word: string }> = {
  trusted: { tone: 'green', word: 'signed' },
  untrusted: { tone: 'amber', word: 'signed, not trusted' },
  unverifiable: { tone: 'amber', word: 'signed, not checked' },
  unsigned: { tone: 'grey', word: 'unsigned' },
  'not-efi': { tone: 'grey', word: 'not EFI' },
  unreadable: { tone: 'red', word: 'not checked' },
};

export function KernelSignatureNote({ signature, refusedByRole: refused, roleName }: KernelSignatureNoteProps) {
  const label = labels[signature.state] ?? labels.unreadable!;
  return (
    <div className="py-2 text-sm" data-testid="kernel-signature">
      <p className="flex flex-wrap items-center gap-2">
        <span className="font-medium text-slate-700">Kernel signature</span>
        <Badge tone={refused ? 'red' : label.tone}>{label.word}</Badge>
        <span className="text-slate-600">{signature.detail}</span>
      </p>
      {refused ? (
        <p role="alert" className="mt-2 rounded border border-red-200 bg-red-50 px-3 py-2 text-red-900">
          Role {roleName} boots its UEFI hosts with Secure Boot (shim → GRUB): this kernel would be refused there. Upload a kernel signed by a key shim trusts, such as
          Debian&apos;s own <code>linux-image-amd64</code>, or switch the role&apos;s UEFI boot chain to iPXE with Secure Boot off.
        </p>
      ) : null}
    </div>
  );
}
