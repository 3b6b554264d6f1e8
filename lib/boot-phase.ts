// What a boot event says about the boot it belongs to: the phase it shows the host reached
// (dhcp → bootloader → kernel → initrd → rootfs → up), whether it ends the boot (up, failed),
// and whether it starts a new one. Pure: bootd's session writer and the console's timeline both
// read events through it, so a phase means the same thing in the database and on the screen.

export const bootPhases = ['dhcp', 'bootloader', 'kernel', 'initrd', 'rootfs', 'up'] as const;
export type BootPhase = (typeof bootPhases)[number];

/** How a boot session ended. `interrupted`: the machine started booting again before it finished. */
export type BootOutcome = 'up' | 'failed' | 'stalled' | 'interrupted';

export interface ClassifiedEvent {
  /** The phase this event shows the host is in, or null for an event that says nothing about it. */
  phase: BootPhase | null;
  /** The event ends the boot with this outcome. */
  outcome: 'up' | 'failed' | null;
  /** A DHCP DISCOVER: may start a new boot (see startsNewSession). */
  discover: { ipxe: boolean; pxe: boolean } | null;
}

export interface EventFacts {
  source: string;
  type: string;
  detail?: Record<string, unknown> | null;
}

export function phaseRank(phase: string | null | undefined): number {
  return phase ? bootPhases.indexOf(phase as BootPhase) : -1;
}

/** The later of two phases: a session's phase is the last one it reached. */
export function laterPhase(a: BootPhase, b: BootPhase | null): BootPhase {
  return b !== null && phaseRank(b) > phaseRank(a) ? b : a;
}

// Agent phases (boot-services/image-builder/init.sh `progress PHASE`): the initrd is running until it
// starts fetching or mounting the root file system.
const agentPhases: Record<string, BootPhase> = {
  'network-up': 'initrd',
  identity: 'initrd',
  'discovery-wait': 'initrd',
  claimed: 'initrd',
  'rootfs-download': 'rootfs',
  'rootfs-unpack': 'rootfs',
  'rootfs-verified': 'rootfs',
  'root-mounted': 'rootfs',
  'switch-root': 'rootfs',
  up: 'up',
};

/** The boot file a transfer event names, as a phase: images/<id>/kernel → kernel, pxelinux.0 → bootloader. */
export function phaseOfFile(file: string): BootPhase {
  const name = file.toLowerCase();
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (base === 'rootfs' || /rootfs|\.tar(\.gz|\.zst)?$|\.tzst$|\.squashfs$/.test(base)) return 'rootfs';
  if (base === 'initrd' || /initrd|initramfs|\.cpio(\.gz)?$/.test(base)) return 'initrd';
  if (base === 'kernel' || /vmlinuz|bzimage|^linux$/.test(base)) return 'kernel';
  return 'bootloader';
}

export function classifyEvent(e: EventFacts): ClassifiedEvent {
  const detail = e.detail ?? {};
  const none: ClassifiedEvent = { phase: null, outcome: null, discover: null };
  switch (e.source) {
    case 'dhcp': {
      if (e.type === 'dropped' || e.type === 'nak' || e.type === 'decline' || e.type === 'release') return none;
      if (e.type === 'discover') {
        const traits = (detail.traits ?? {}) as { ipxe?: boolean; vendorClass?: string };
        return { phase: 'dhcp', outcome: null, discover: { ipxe: traits.ipxe === true, pxe: typeof traits.vendorClass === 'string' && traits.vendorClass.startsWith('PXEClient') } };
      }
      return { phase: 'dhcp', outcome: null, discover: null };
    }
    // DHCPv6 (boot-services/dhcp6/) is the same boot phase: a Solicit is what a DISCOVER is
    // (it may start a boot; from firmware when it carries option 61, traits.pxe), its
    // Advertise/Request/Reply the rest of the exchange.
    case 'dhcp6': {
      if (e.type === 'dropped' || e.type === 'release' || e.type === 'decline') return none;
      if (e.type === 'solicit') {
        const traits = (detail.traits ?? {}) as { ipxe?: boolean; pxe?: boolean };
        return { phase: 'dhcp', outcome: null, discover: { ipxe: traits.ipxe === true, pxe: traits.pxe === true } };
      }
      return { phase: 'dhcp', outcome: null, discover: null };
    }
    case 'tftp':
    case 'http': {
      if (e.type === 'boot-config') return { phase: 'bootloader', outcome: null, discover: null };
      const file = typeof detail.file === 'string' ? detail.file : null;
      if (!file) return none;
      return { phase: phaseOfFile(file), outcome: null, discover: null };
    }
    case 'agent': {
      const phase = typeof detail.phase === 'string' ? detail.phase : e.type;
      if (phase === 'failed' || e.type === 'failed') return { phase: null, outcome: 'failed', discover: null };
      if (phase === 'up' || e.type === 'up') return { phase: 'up', outcome: 'up', discover: null };
      return { phase: agentPhases[phase] ?? 'initrd', outcome: null, discover: null };
    }
    default:
      return none;
  }
}

export interface SessionFacts {
  phase: string;
  outcome: string | null;
  /** Time of the session's last event. */
  lastEventAt: Date;
}

/**
 * Whether a DISCOVER begins a new boot attempt: after the last one ended (up, failed, stalled),
 * after a quiet gap, or when boot firmware asks again although the last attempt got past the
 * point where it would (a reset mid-boot). A DISCOVER from the agent's or the booted system's
 * DHCP client (not PXE firmware) never does: it is part of the boot.
 */
export function startsNewSession(c: ClassifiedEvent, current: SessionFacts | null, at: Date, quietGapSeconds: number): boolean {
  if (!c.discover) {
    if (c.phase === null && c.outcome === null) return false;
    if (current === null) return true;
    // A boot file fetched after the last boot ended: a boot whose DHCP another server answered.
    const early = phaseRank(c.phase) >= phaseRank('bootloader') && phaseRank(c.phase) <= phaseRank('initrd');
    return early && current.outcome !== null && current.outcome !== 'stalled';
  }
  if (current === null) return true;
  const fromFirmware = c.discover.pxe || c.discover.ipxe;
  if (!fromFirmware) return false;
  if (current.outcome !== null) return true;
  if (at.getTime() - current.lastEventAt.getTime() > quietGapSeconds * 1000) return true;
  // iPXE chainloaded from PXE firmware asks again after the bootloader phase: same boot. Past
  // the bootloader, or plain PXE firmware past DHCP, means the machine was reset.
  return phaseRank(current.phase) > phaseRank(c.discover.ipxe ? 'bootloader' : 'dhcp');
}
