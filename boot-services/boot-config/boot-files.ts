// The files a booting machine can fetch, by name, for TFTP and HTTP alike: bootloaders,
// pxelinux modules, image artifacts, the discovery environment, and configs generated per
// request (pxelinux.cfg/01-<mac>, grub/grub.cfg-01-<mac>, the iPXE script). Nothing outside
// these roots is reachable: names are checked, and real paths (after symlinks) must stay inside.
import { createHash } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { BootView } from '../../lib/boot/boot-view.ts';
import { planBootForHost, planBootForMac, discoveryCmdline, type BootPlan } from '../../lib/boot/boot-plan.ts';
import { renderGrubConfig, renderGrubConfigByMac, renderIpxeScript, renderPxelinuxConfig } from '../../lib/boot/boot-configs.ts';
import { normalizeMac } from '../../lib/mac.ts';
import { artifactKinds, type ArtifactKind } from '../../lib/boot/boot-paths.ts';
import type { ArtifactSource } from '../artifacts/artifact-sync.ts';
import type { ArtifactPull } from '../artifacts/artifact-pull.ts';

/** Longer names are refused: PXE ROMs use 128-byte boot file fields, and nothing we serve is longer. */
export const maxFileNameBytes = 255;

export type NameCheck = { ok: true; name: string } | { ok: false; reason: 'empty' | 'overlong' | 'control-character' | 'parent-directory' };

/**
 * Checks a requested name (already `\`→`/` mapped for TFTP, URL-decoded for HTTP). A leading
 * `/` means the boot root, as tftpd-hpa `-s` and dnsmasq read it: GRUB's TFTP client sends
 * `/images/<id>/kernel` for the `/images/<id>/kernel` its config names (DESIGN.md facts).
 */
export function checkBootFileName(requested: string): NameCheck {
  const name = requested.replace(/^\/+/, '');
  if (name.length === 0) return { ok: false, reason: 'empty' };
  if (Buffer.byteLength(name, 'latin1') > maxFileNameBytes) return { ok: false, reason: 'overlong' };
  // NUL and other control characters have no place in a file name we serve.
  if (/[\x00-\x1f\x7f]/.test(name)) return { ok: false, reason: 'control-character' };
  if (name.split('/').includes('..')) return { ok: false, reason: 'parent-directory' };
  return { ok: true, name };
}

/**
 * Names bootloaders ask for and go on without: pxelinux's config by UUID and hex IP before
 * 01-<mac> and `default`; shim 16's optional revocation lists and extra certificates beside
 * itself; GRUB's module lists under its prefix (its network image has its modules built in).
 * A miss of these is no boot problem and stays off the host's timeline.
 */
export function isOptionalProbe(name: string): boolean {
  return name.startsWith('pxelinux.cfg/') || /^grub\/x86_64-efi\/[a-z]+\.lst$/.test(name) || /^(revocations_[a-z]+|shim_certificate_\d+)\.efi$/.test(name);
}

export interface DiskBootFile {
  kind: 'disk';
  /** Real path, after symlinks. */
  path: string;
  sizeBytes: number;
  mtimeMs: number;
  dev: number;
  ino: number;
  /** Image artifacts carry their sha256: the strongest validator there is. */
  sha256: string | null;
}

export interface GeneratedBootFile {
  kind: 'generated';
  bytes: Buffer;
  contentType: string;
  plan: BootPlan;
  sha256: string;
}

export type BootFile = DiskBootFile | GeneratedBootFile;

export type BootFileLookup =
  | { ok: true; file: BootFile }
  | { ok: false; reason: 'not-found' | 'outside-root' | 'not-a-file'; message: string }
  /** An image artifact this boot server hasn't in its cache yet: `pull` is bringing it (HTTP streams it through). */
  | { ok: false; reason: 'not-cached'; message: string; pull: ArtifactPull };

export interface BootFilesOptions {
  /** Read on every request: the config cache may swap its view when the database changes. */
  view: () => BootView;
  httpBaseUrl: string;
  /** Bootloader name → file (from findBootloaders). */
  bootloaders: ReadonlyMap<string, string>;
  /** Directories whose files are served under their relative names (configured dirs, pxelinux modules). */
  roots: readonly string[];
  discoveryKernelPath: string;
  discoveryInitrdPath: string;
  /**
   * A boot server's artifact cache (artifacts/artifact-sync.ts): image artifacts are served
   * from it only. Without one (bootd beside the console, no FLEETBOOT_CONSOLE_URL), they are
   * read where the console stored them (Artifact.path).
   */
  artifacts?: ArtifactSource | null;
}

function generated(text: string, contentType: string, plan: BootPlan): BootFileLookup {
  const bytes = Buffer.from(text, 'utf8');
  return { ok: true, file: { kind: 'generated', bytes, contentType, plan, sha256: createHash('sha256').update(bytes).digest('hex') } };
}

const notFound = (what: string): BootFileLookup => ({ ok: false, reason: 'not-found', message: `${what} not found` });

export class BootFiles {
  constructor(private readonly opts: BootFilesOptions) {}

  get view(): BootView {
    return this.opts.view();
  }

  planContext() {
    return { view: this.opts.view(), httpBaseUrl: this.opts.httpBaseUrl };
  }

  /** A checked TFTP-style name (also used by HTTP's /boot/v1/files/<name>). */
  async lookup(name: string, clientIp: string | null): Promise<BootFileLookup> {
    const pxelinuxHost = /^pxelinux\.cfg\/01-([0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){5})$/.exec(name);
    if (pxelinuxHost) {
      const plan = planBootForMac(this.planContext(), normalizeMac(pxelinuxHost[1]!)!);
      return generated(renderPxelinuxConfig(plan), 'text/plain; charset=utf-8', plan);
    }
    if (name === 'pxelinux.cfg/default') {
      const plan = this.discoveryPlan(null);
      return generated(renderPxelinuxConfig(plan), 'text/plain; charset=utf-8', plan);
    }
    // pxelinux also asks for its UUID and hex-IP names before `default`; 01-<mac> already answered.
    if (name.startsWith('pxelinux.cfg/')) return notFound(name);
    // GRUB's own name for it uses dashes; our grub.cfg asks with GRUB's $net_default_mac (colons).
    const grubHost = /^grub\/grub\.cfg-01-([0-9a-fA-F]{2}(?:[-:][0-9a-fA-F]{2}){5})$/.exec(name);
    if (grubHost) {
      const plan = planBootForMac(this.planContext(), normalizeMac(grubHost[1]!)!);
      return generated(renderGrubConfig(plan), 'text/plain; charset=utf-8', plan);
    }
    if (name === 'grub/grub.cfg') {
      // Debian's network GRUB (2.06) asks for grub/grub.cfg only, never per MAC or IP: a
      // client whose address names a host gets its config; any other (a pool lease) is sent
      // on to the config of its MAC, which names the host or discovery.
      const host = clientIp ? this.view.findHostByIp(clientIp) : null;
      if (!host) return generated(renderGrubConfigByMac(), 'text/plain; charset=utf-8', this.discoveryPlan(null));
      const plan = planBootForHost(this.planContext(), host);
      return generated(renderGrubConfig(plan), 'text/plain; charset=utf-8', plan);
    }
    const artifact = /^images\/([^/]+)\/(kernel|initrd|rootfs)$/.exec(name);
    if (artifact) return this.lookupArtifact(artifact[1]!, artifact[2] as ArtifactKind);
    if (name === 'discovery/kernel') return this.lookupExactFile(this.opts.discoveryKernelPath, null);
    if (name === 'discovery/initrd') return this.lookupExactFile(this.opts.discoveryInitrdPath, null);
    const bootloader = this.opts.bootloaders.get(name);
    if (bootloader) return this.lookupExactFile(bootloader, null);
    return this.lookupUnderRoots(name);
  }

  ipxeScript(mac: string | null): GeneratedBootFile {
    const plan = mac ? planBootForMac(this.planContext(), mac) : this.discoveryPlan(null);
    const result = generated(renderIpxeScript(plan, this.opts.httpBaseUrl), 'text/plain; charset=utf-8', plan);
    return (result as { ok: true; file: GeneratedBootFile }).file;
  }

  async lookupArtifact(imageId: string, kind: ArtifactKind): Promise<BootFileLookup> {
    if (!artifactKinds.includes(kind)) return notFound(kind);
    const image = this.view.findImageById(imageId);
    const artifact = image ? image[kind] : null;
    if (!artifact) return notFound(`${kind} of image ${imageId}`);
    const cache = this.opts.artifacts;
    if (!cache) return this.lookupExactFile(artifact.path, artifact.sha256);
    const cached = cache.cachedPath(artifact.sha256);
    if (cached) return this.statFile(cached, artifact.sha256);
    return {
      ok: false, reason: 'not-cached', pull: cache.pullNow(artifact.sha256, artifact.sizeBytes),
      message: `${kind} of image ${image!.version} (sha256 ${artifact.sha256.slice(0, 12)}…) is not in this boot server's cache yet: pulling it from the console`,
    };
  }

  private discoveryPlan(mac: string | null): BootPlan {
    return { kind: 'discovery', mac, cmdline: discoveryCmdline(this.opts.httpBaseUrl, mac) };
  }

  private async lookupExactFile(filePath: string, sha256: string | null): Promise<BootFileLookup> {
    try {
      const real = await realpath(filePath);
      return await this.statFile(real, sha256);
    } catch {
      return notFound(path.basename(filePath));
    }
  }

  private async lookupUnderRoots(name: string): Promise<BootFileLookup> {
    let refusal: BootFileLookup | null = null;
    for (const root of this.opts.roots) {
      let realRoot: string;
      let real: string;
      try {
        realRoot = await realpath(root);
        real = await realpath(path.join(realRoot, name));
      } catch {
        continue;
      }
      // A symlink inside a root may point anywhere; only what stays inside is served.
      if (!real.startsWith(realRoot + path.sep)) {
        refusal = { ok: false, reason: 'outside-root', message: 'Access violation: path leaves the boot root' };
        continue;
      }
      const found = await this.statFile(real, null);
      if (found.ok) return found;
    }
    return refusal ?? notFound(name);
  }

  private async statFile(real: string, sha256: string | null): Promise<BootFileLookup> {
    try {
      const st = await stat(real);
      if (!st.isFile()) return { ok: false, reason: 'not-a-file', message: 'not a file' };
      return { ok: true, file: { kind: 'disk', path: real, sizeBytes: st.size, mtimeMs: st.mtimeMs, dev: st.dev, ino: st.ino, sha256 } };
    } catch {
      return notFound(path.basename(real));
    }
  }
}
