// Which kernel modules the agent initramfs carries, and in which order /init loads them.
// Debian's kernel builds the NIC, disk and NFS drivers as modules (DESIGN.md facts), and the
// initramfs has no modprobe database worth trusting: the order is resolved here from the
// kernel's modules.dep and written as a plain list that /init feeds to insmod.

/** What each root mode needs, by module name (as modinfo/modules.dep spell them, '-' or '_'). */
export const agentModuleNames = {
  // QEMU's virtio-net and e1000 NICs, and the e1000e most real servers' boards carry.
  network: ['virtio_pci', 'virtio_net', 'e1000', 'e1000e'],
  disk: ['virtio_blk', 'virtio_scsi', 'sd_mod', 'ahci', 'ata_piix', 'crc32c_generic', 'ext4'],
  nfs: ['sunrpc', 'grace', 'lockd', 'nfs', 'nfsv3', 'overlay'],
} as const;

export function allAgentModules(): string[] {
  return [...agentModuleNames.network, ...agentModuleNames.disk, ...agentModuleNames.nfs];
}

/** modules.dep: "kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko ...". */
export function parseModulesDep(text: string): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const mod = line.slice(0, colon).trim();
    const rest = line.slice(colon + 1).trim();
    deps.set(mod, rest ? rest.split(/\s+/) : []);
  }
  return deps;
}

/** The module name of a path: kernel/drivers/net/virtio_net.ko(.xz) → virtio_net ('-' folded to '_'). */
export function moduleName(relPath: string): string {
  const base = relPath.split('/').pop() ?? relPath;
  return base.replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
}

export interface ModulePlan {
  /** Module paths relative to /lib/modules/<version>, dependencies before dependents. */
  loadOrder: string[];
  /** Wanted names this kernel doesn't have as a module (built in, or absent). */
  notModules: string[];
}

/** Dependencies first (depth-first post-order), each module once. */
export function planModules(deps: Map<string, string[]>, wanted: readonly string[]): ModulePlan {
  const byName = new Map<string, string>();
  for (const p of deps.keys()) byName.set(moduleName(p), p);
  const loadOrder: string[] = [];
  const seen = new Set<string>();
  const visit = (p: string, stack: Set<string>) => {
    if (seen.has(p)) return;
    if (stack.has(p)) throw new Error(`module dependency cycle at ${p}`);
    stack.add(p);
    for (const d of deps.get(p) ?? []) visit(d, stack);
    stack.delete(p);
    seen.add(p);
    loadOrder.push(p);
  };
  const notModules: string[] = [];
  for (const name of wanted) {
    const p = byName.get(name.replace(/-/g, '_'));
    if (p) visit(p, new Set());
    else notModules.push(name);
  }
  return { loadOrder, notModules };
}
