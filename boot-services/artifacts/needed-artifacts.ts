// Which artifacts a boot server must hold in its cache, from its view (DESIGN.md "bootd on its
// own machine"): the images of the roles its hosts have that are ready, staged (trial,
// verified) or active, the roles' previous images (a rollback boots them), and images hosts
// are pointed at one by one (a spare staging a candidate). Pure: the view in, the set out.
// Pinned artifacts (what an active, trial, verified or previous image or a host's override
// needs) are never evicted; a ready image's are prefetched but may go when space is short.
import type { HostView, ImageView, RoleView } from '../../lib/boot/boot-view.ts';
import { artifactKinds } from '../../lib/boot/boot-paths.ts';

export interface NeedsView {
  hosts(): Iterable<HostView>;
  roles(): Iterable<RoleView>;
  images(): Iterable<ImageView>;
}

export interface ArtifactNeed {
  sha256: string;
  sizeBytes: number;
  pinned: boolean;
  /** e.g. "kernel of web 2026.12.1 (active)": for logs and the heartbeat. */
  why: string;
}

/** Image states whose artifacts a boot may ask for soon. */
const prefetchedStatuses = new Set(['ready', 'trial', 'verified', 'active']);
/** Image states that must stay booted from the cache whatever its size limit. */
const pinnedStatuses = new Set(['trial', 'verified', 'active']);

/** The needs, pinned ones first (fetched first), each sha256 once (pinned wins). */
export function neededArtifacts(view: NeedsView): ArtifactNeed[] {
  const servedRoles = new Set<string>();
  const overrides = new Set<string>();
  for (const h of view.hosts()) {
    if (h.roleId) servedRoles.add(h.roleId);
    if (h.imageOverrideId) overrides.add(h.imageOverrideId);
  }
  const roleImages = new Map<string, 'active' | 'previous'>();
  const roleNames = new Map<string, string>();
  for (const r of view.roles()) {
    roleNames.set(r.id, r.name);
    if (!servedRoles.has(r.id)) continue;
    if (r.previousImageId) roleImages.set(r.previousImageId, 'previous');
    if (r.activeImageId) roleImages.set(r.activeImageId, 'active');
  }
  const needs = new Map<string, ArtifactNeed>();
  for (const image of view.images()) {
    const asRole = roleImages.get(image.id);
    const overridden = overrides.has(image.id);
    const prefetched = servedRoles.has(image.roleId) && prefetchedStatuses.has(image.status);
    if (!asRole && !overridden && !prefetched) continue;
    const pinned = asRole !== undefined || overridden || pinnedStatuses.has(image.status);
    const label = asRole ?? (overridden ? 'a host\'s override' : image.status);
    for (const kind of artifactKinds) {
      const a = image[kind];
      if (!a) continue;
      const had = needs.get(a.sha256);
      if (had && (had.pinned || !pinned)) continue;
      needs.set(a.sha256, { sha256: a.sha256, sizeBytes: a.sizeBytes, pinned, why: `${kind} of ${roleNames.get(image.roleId) ?? 'a role'} ${image.version} (${label})` });
    }
  }
  return [...needs.values()].sort((a, b) => Number(b.pinned) - Number(a.pinned));
}
