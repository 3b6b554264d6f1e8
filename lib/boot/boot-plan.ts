// What should this machine boot? The one decision behind every generated config (pxelinux,
// iPXE, GRUB): made from the BootView alone, pure, so it is tested with plain objects.
// Order: unknown MAC → discovery; boot disabled → local disk; a one-shot boot override
// (rescue, memtest, localdisk, image) → that; else the host's image override; else its role's
// active image. Clearing a one-shot override once the host is up belongs to the boot agent.
import type { BootView, HostView, ImageView, RoleView } from './boot-view.ts';
import { renderCmdline, withParameter, type CmdlineVariables } from './cmdline.ts';
import { httpArtifactPath, joinUrl } from './boot-paths.ts';

export type LinuxBootReason = 'role-image' | 'image-override' | 'one-shot-image' | 'rescue';

export interface LinuxBoot {
  kind: 'linux';
  reason: LinuxBootReason;
  host: HostView;
  role: RoleView;
  image: ImageView;
  cmdline: string;
  /** Placeholders in the role's template we don't know (reported, left as written). */
  unknownVariables: string[];
}

export type BootPlan =
  | LinuxBoot
  | { kind: 'discovery'; mac: string | null; cmdline: string }
  | { kind: 'localdisk'; host: HostView; reason: 'boot-disabled' | 'one-shot-localdisk' }
  | { kind: 'memtest'; host: HostView }
  /** A known host we can't boot: why, so the config can say it and fall back to local disk. */
  | { kind: 'unbootable'; host: HostView; reason: string; cause: UnbootableCause };

/** Why a host can't boot, as a key the fleet's doctor summary groups hosts by. */
export type UnbootableCause = 'no-role' | 'role-missing' | 'role-without-image' | 'image-missing' | 'image-incomplete' | 'override-without-image';

export interface BootPlanContext {
  view: BootView;
  /** e.g. http://10.66.0.1:8080 */
  httpBaseUrl: string;
}

/** The parameter the boot agent reads to find bootd (appended unless the template sets it). */
export const bootdUrlParameter = 'fleetboot.bootd';
export const bootModeParameter = 'fleetboot.mode';

export function discoveryCmdline(httpBaseUrl: string, mac: string | null): string {
  let cmdline = `${bootModeParameter}=discovery ${bootdUrlParameter}=${httpBaseUrl}`;
  if (mac) cmdline = withParameter(cmdline, 'fleetboot.mac', mac);
  return cmdline;
}

export function planBootForMac(ctx: BootPlanContext, mac: string): BootPlan {
  const host = ctx.view.findHostByMac(mac);
  if (!host) return { kind: 'discovery', mac, cmdline: discoveryCmdline(ctx.httpBaseUrl, mac) };
  return planBootForHost(ctx, host);
}

export function planBootForHost(ctx: BootPlanContext, host: HostView): BootPlan {
  if (!host.bootEnabled) return { kind: 'localdisk', host, reason: 'boot-disabled' };
  switch (host.bootOverride) {
    case 'localdisk':
      return { kind: 'localdisk', host, reason: 'one-shot-localdisk' };
    case 'memtest':
      return { kind: 'memtest', host };
    case 'image':
      if (!host.imageOverrideId) return { kind: 'unbootable', host, reason: 'one-shot image override names no image', cause: 'override-without-image' };
      return linuxBoot(ctx, host, host.imageOverrideId, 'one-shot-image');
    case 'rescue': {
      const imageId = host.imageOverrideId ?? roleOf(ctx, host)?.activeImageId ?? null;
      if (!imageId) return { kind: 'unbootable', host, reason: 'rescue needs an image: the host has no role image', cause: 'role-without-image' };
      return linuxBoot(ctx, host, imageId, 'rescue');
    }
    case null:
      break;
  }
  if (host.imageOverrideId) return linuxBoot(ctx, host, host.imageOverrideId, 'image-override');
  const role = roleOf(ctx, host);
  if (!role) return { kind: 'unbootable', host, reason: host.roleId ? `role ${host.roleId} not found` : 'host has no role', cause: host.roleId ? 'role-missing' : 'no-role' };
  if (!role.activeImageId) return { kind: 'unbootable', host, reason: `role ${role.name} has no active image`, cause: 'role-without-image' };
  return linuxBoot(ctx, host, role.activeImageId, 'role-image');
}

function roleOf(ctx: BootPlanContext, host: HostView): RoleView | null {
  return host.roleId ? ctx.view.findRoleById(host.roleId) : null;
}

function linuxBoot(ctx: BootPlanContext, host: HostView, imageId: string, reason: LinuxBootReason): BootPlan {
  const image = ctx.view.findImageById(imageId);
  if (!image) return { kind: 'unbootable', host, reason: `image ${imageId} not found`, cause: 'image-missing' };
  if (!image.kernel || !image.initrd) return { kind: 'unbootable', host, reason: `image ${image.version} lacks a kernel or initrd`, cause: 'image-incomplete' };
  // An image override may belong to another role; the cmdline still follows the host's role,
  // falling back to the image's own role when the host has none.
  const role = roleOf(ctx, host) ?? ctx.view.findRoleById(image.roleId);
  if (!role) return { kind: 'unbootable', host, reason: 'no role to take the cmdline template from', cause: 'role-missing' };
  const url = (kind: 'kernel' | 'initrd' | 'rootfs') => joinUrl(ctx.httpBaseUrl, httpArtifactPath(image.id, kind));
  const vars: CmdlineVariables = {
    hostname: host.hostname,
    ip: host.ip ?? '',
    mac: host.mac ?? '',
    role: role.name,
    rootMode: role.rootMode,
    kernelUrl: url('kernel'),
    initrdUrl: url('initrd'),
    rootfsUrl: image.rootfs ? url('rootfs') : '',
    rootfsSha256: image.rootfs?.sha256 ?? '',
    bootdUrl: ctx.httpBaseUrl,
    hostId: host.id,
    nfsExport: role.nfsExport ?? '',
    diskRoot: role.diskRoot ?? '',
  };
  const rendered = renderCmdline(role.cmdlineTemplate, vars);
  let cmdline = withParameter(rendered.cmdline, bootdUrlParameter, ctx.httpBaseUrl);
  if (reason === 'rescue') cmdline = withParameter(cmdline, bootModeParameter, 'rescue');
  return { kind: 'linux', reason, host, role, image, cmdline, unknownVariables: rendered.unknownVariables };
}
