// The boot doctor: what bootd will do when this host powers on, asked before it does, of the
// same functions bootd answers with (addressForHost and pickBootFile for DHCP, planBootForHost
// for the boot plan, the pxelinux/iPXE/GRUB renderers for the text it serves), never a second
// copy of their rules. Pure: the console loads a BootView from the database and asks here, for
// one host (its page, GET /api/v1/hosts/{id}/doctor) or for the fleet (the dashboard).
import type { BootView, HostView, NetworkView } from './boot-view.ts';
import { planBootForHost, type BootPlan, type UnbootableCause } from './boot-plan.ts';
import { renderGrubConfig, renderIpxeScript, renderPxelinuxConfig } from './boot-configs.ts';
import { grubConfigName, httpIpxeScriptPath, joinUrl, pxelinuxConfigName, uefiBootloaderNames } from './boot-paths.ts';
import { addressForHost, pickBootFile, type BootClient, type HostAddressRefusal } from './dhcp-boot-file.ts';
import { formatMemory, imageNeeds, type ImageFacts } from './image-needs.ts';
import { unmetRootModeNeeds } from './root-mode.ts';
import { ClientArch } from '../dhcp/options.ts';
import { cidrContains, parseCidr, parseIPv4 } from '../ipv4.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** Why a host can't boot, as one key per cause: the fleet summary groups hosts by it. */
export type DoctorCause = UnbootableCause | HostAddressRefusal | 'no-mac' | 'network-missing' | 'no-network' | 'no-pool' | 'no-boot-server' | 'rootfs-missing' | 'root-mode-unmet' | 'no-boot-file' | 'ram-too-small';

export const doctorCauseText: Record<DoctorCause, string> = {
  'no-mac': 'waiting for hardware (no MAC)',
  'no-role': 'no role',
  'role-missing': 'role not found',
  'role-without-image': 'role has no active image',
  'image-missing': 'image not found',
  'image-incomplete': 'image lacks a kernel or initrd',
  'override-without-image': 'one-shot image override names no image',
  'boot-disabled': 'network boot disabled',
  'host-on-other-network': 'on another network than bootd serves',
  'reservation-outside-network': 'reserved address outside its network',
  'network-missing': 'network not found',
  'no-network': 'no network that bootd serves',
  'no-pool': 'no reserved address and no pool',
  'no-boot-server': 'no running boot server serves its network',
  'rootfs-missing': 'image has no rootfs for ram root',
  'root-mode-unmet': 'root mode needs a setting the role lacks',
  'no-boot-file': 'no boot file for its firmware',
  'ram-too-small': 'less RAM than its ram root needs',
};

export interface DoctorCheck {
  key: string;
  status: CheckStatus;
  title: string;
  detail: string;
  /** What to try, when the check isn't ok. */
  hint?: string;
  cause?: DoctorCause;
}

export interface BootChainStep {
  /** e.g. "pxelinux.0", "pxelinux.cfg/01-52-54-00-…", "images/<id>/kernel" */
  file: string;
  over: 'tftp' | 'http' | 'dhcp';
  note?: string;
}

export interface FirmwareBoot {
  firmware: 'bios' | 'uefi' | 'uefi-http';
  label: string;
  /** What DHCP puts in the OFFER's boot file field (null: DHCP offers no boot file). */
  dhcpBootFile: string | null;
  nextServer: string | null;
  chain: BootChainStep[];
  /** The config bootd serves this host on this path, verbatim. */
  config: { name: string; over: 'tftp' | 'http'; text: string } | null;
}

export interface HostDiagnosis {
  hostId: string;
  hostname: string;
  canBoot: boolean;
  /** The first failing check's cause (what the fleet summary groups by). */
  cause: DoctorCause | null;
  checks: DoctorCheck[];
  plan: { kind: BootPlan['kind']; reason: string | null; imageId: string | null; imageVersion: string | null; roleName: string | null; rootMode: string | null };
  cmdline: string | null;
  firmwares: FirmwareBoot[];
  /** The boot servers that answer the host's network, by name and as the registry judges them; empty: any bootd started without a name. */
  servedBy: Array<{ name: string; state: BootServerState }>;
  /** For a relayed network: relay address(es) → bootd. */
  relayPath: string | null;
}

/** As the console's registry judges a boot server from its heartbeats (server/boot-servers/health.ts). */
export type BootServerState = 'healthy' | 'lagging' | 'gone' | 'revoked' | 'unregistered';

export interface DoctorContext {
  view: BootView;
  /** The bootd the console runs beside: its address (DHCP server id, next-server unless the network names one) and HTTP base URL. */
  bootServer: { serverAddress: string; httpBaseUrl: string };
  /** The registry's boot servers by name (FLEETBOOT_BOOTD_NAME), as judged now; absent: not known, not checked. */
  bootServerStates?: ReadonlyMap<string, Exclude<BootServerState, 'unregistered'>>;
  /** The verdict only (the fleet summary): no chain after the boot file, no config text rendered. */
  verdictOnly?: boolean;
  /** What the console measured of images (the RAM a ram root needs, Secure Boot's verdict on the kernel), by image id; absent: not judged. */
  imageFacts?: ReadonlyMap<string, ImageFacts>;
  /** Hosts' RAM from their discovery facts, by host id; absent: not known. */
  hostMemoryBytes?: ReadonlyMap<string, number>;
  /** Other hosts registered with the same MAC (the database forbids it; a snapshot may not). */
  sameMacHosts?: readonly string[];
}

function inNetwork(network: NetworkView): (ip: string) => boolean {
  const cidr = parseCidr(network.cidr);
  return (ip) => {
    const n = parseIPv4(ip);
    return cidr !== null && n !== null && cidrContains(cidr, n);
  };
}

/** The network DHCP will see the host on: its own, else the one its reservation is in, else bootd's. */
function networkFor(ctx: DoctorContext, host: HostView): NetworkView | null {
  if (host.networkId) return ctx.view.findNetworkById(host.networkId);
  if (host.ip) return ctx.view.findNetworkContaining(host.ip);
  return ctx.view.findNetworkContaining(ctx.bootServer.serverAddress);
}

export function diagnoseHost(ctx: DoctorContext, host: HostView): HostDiagnosis {
  const checks: DoctorCheck[] = [];
  const add = (c: DoctorCheck) => checks.push(c);
  const { bootServer } = ctx;

  // 1. Identity: DHCP finds a host by MAC and nothing else.
  if (!host.mac) {
    add({ key: 'mac', status: 'fail', cause: 'no-mac', title: 'MAC address', detail: 'No MAC yet: when this machine PXE-boots it is an unknown machine, boots into discovery and waits to be claimed.', hint: 'Power it on to discover it, then claim it on the Discovered page (serial or asset tag match it), or enter its MAC.' });
  } else if (ctx.sameMacHosts?.length) {
    add({ key: 'mac', status: 'fail', title: 'MAC address', detail: `${host.mac} is also the MAC of ${ctx.sameMacHosts.join(', ')}: DHCP answers only one of them.`, hint: 'Correct the MAC of the wrong host.' });
  } else {
    add({ key: 'mac', status: 'ok', title: 'MAC address', detail: `${host.mac}, unique in the fleet.` });
  }

  // 2. Network and address, as DHCP decides them (addressForHost).
  const network = networkFor(ctx, host);
  let relayPath: string | null = null;
  if (host.networkId && !network) {
    add({ key: 'network', status: 'fail', cause: 'network-missing', title: 'Network', detail: `The host's network ${host.networkId} does not exist.`, hint: 'Choose the host\'s network again.' });
  } else if (!network) {
    add({ key: 'network', status: 'fail', cause: 'no-network', title: 'Network', detail: `No network contains ${host.ip ?? `bootd's address ${bootServer.serverAddress}`}: DHCP ignores the host.`, hint: 'Create the network this host boots on, or set the host\'s network.' });
  } else {
    const address = addressForHost(host, network, inNetwork(network));
    if (address.kind === 'refused') {
      const detail = address.reason === 'boot-disabled' ? 'Network boot is disabled for this host: DHCP does not answer it, it boots from its own disk.'
        : address.reason === 'reservation-outside-network' ? `The reserved address ${host.ip} is outside ${network.name} (${network.cidr}): DHCP ignores the host.`
        : `The host belongs to another network than ${network.name}.`;
      add({ key: 'address', status: address.reason === 'boot-disabled' ? 'warn' : 'fail', cause: address.reason === 'boot-disabled' ? undefined : address.reason, title: 'Address', detail, hint: address.reason === 'boot-disabled' ? 'Enable network boot on the host to boot it from Fleetboot.' : 'Fix the host\'s address or network.' });
    } else if (address.kind === 'reserved') {
      add({ key: 'address', status: 'ok', title: 'Address', detail: `Reserved ${address.ip} on ${network.name} (${network.cidr}).` });
    } else if (network.poolStart && network.poolEnd) {
      add({ key: 'address', status: 'ok', title: 'Address', detail: `No reservation: a pool lease from ${network.name} (${network.poolStart}–${network.poolEnd}), ${network.leaseSeconds} s.` });
    } else {
      add({ key: 'address', status: 'fail', cause: 'no-pool', title: 'Address', detail: `No reserved address, and ${network.name} has no pool: DHCP has no address to offer.`, hint: 'Reserve an address for the host or give the network a pool.' });
    }
    // The bootd's address as the network's clients see it: the network's boot server, else ours.
    const bootdAddress = network.bootServer ?? bootServer.serverAddress;
    if (!inNetwork(network)(bootdAddress)) {
      relayPath = network.relayAddresses.length
        ? `relay ${network.relayAddresses.join(' or ')} (giaddr) → bootd ${bootdAddress}`
        : `a relay with an address in ${network.cidr} (giaddr) → bootd ${bootdAddress}`;
      add({ key: 'relay', status: network.relayAddresses.length ? 'ok' : 'warn', title: 'Relay', detail: `${network.name} is not bootd's own segment: DHCP reaches bootd through ${relayPath}.`, hint: network.relayAddresses.length ? undefined : 'List the relay\'s address on the network so bootd finds it by giaddr.' });
    }
  }
  const servedBy = (network?.servedBy ?? []).map((name) => ({ name, state: ctx.bootServerStates?.get(name) ?? ('unregistered' as const) }));
  if (network) add(bootServerCheck(ctx, network, servedBy));

  // 3. The boot plan: role, image, root mode, cmdline.
  const plan = planBootForHost({ view: ctx.view, httpBaseUrl: bootServer.httpBaseUrl }, host);
  let cmdline: string | null = null;
  switch (plan.kind) {
    case 'unbootable':
      add({ key: 'image', status: 'fail', cause: plan.cause, title: 'Image', detail: `Can't boot: ${plan.reason}. The loader is told to boot the local disk instead.`, hint: unbootableHint(plan.cause) });
      break;
    case 'localdisk':
      add({ key: 'image', status: 'warn', title: 'Image', detail: plan.reason === 'boot-disabled' ? 'Boots its local disk (network boot disabled).' : 'Boots its local disk once (one-shot override).' });
      break;
    case 'memtest':
      add({ key: 'image', status: 'warn', title: 'Image', detail: 'Runs memtest86+ once (one-shot override).' });
      break;
    case 'discovery':
      break;
    case 'linux': {
      cmdline = plan.cmdline;
      const unmet = unmetRootModeNeeds(plan.role, plan.image);
      const reason = plan.reason === 'role-image' ? `the active image of role ${plan.role.name}` : plan.reason === 'rescue' ? 'rescue, once' : plan.reason === 'one-shot-image' ? 'a one-shot image override' : 'the host\'s image override';
      if (unmet.length) {
        const rootfsOnly = unmet.length === 1 && unmet[0]!.what === 'rootfs';
        add({
          key: 'image', status: 'fail', cause: rootfsOnly ? 'rootfs-missing' : 'root-mode-unmet', title: 'Image',
          detail: `Image ${plan.image.version} (${reason}, ${plan.image.status}) boots in ${plan.role.rootMode} root mode, which needs: ${unmet.map((n) => n.label).join(', ')}. The agent would stop there.`,
          hint: rootfsOnly ? 'Upload the image\'s rootfs.' : 'Set the missing role setting.',
        });
      } else {
        add({ key: 'image', status: 'ok', title: 'Image', detail: `Image ${plan.image.version} (${reason}, ${plan.image.status}): kernel, initrd${plan.image.rootfs ? ', rootfs' : ''} — all that ${plan.role.rootMode} root mode needs.` });
      }
      // What the image needs beyond its artifacts (lib/boot/image-needs.ts, as the image page says it).
      const facts = ctx.imageFacts?.get(plan.image.id);
      if (facts) {
        const needs = imageNeeds(plan.role, plan.image, facts);
        const memory = ctx.hostMemoryBytes?.get(host.id);
        if (facts.ramNeedBytes && memory !== undefined) {
          add(memory < facts.ramNeedBytes
            ? { key: 'ram', status: 'fail', cause: 'ram-too-small', title: 'RAM', detail: `It has ${formatMemory(memory)} of RAM (its discovery facts); image ${plan.image.version}'s ram root needs at least ${formatMemory(facts.ramNeedBytes)}. The agent would fail unpacking it.`, hint: 'Give the role a smaller image, or the host more RAM, or boot it with an NFS root.' }
            : { key: 'ram', status: 'ok', title: 'RAM', detail: `${formatMemory(memory)} of RAM; the ram root needs ${formatMemory(facts.ramNeedBytes)}.` });
        }
        const secureBoot = needs.find((n) => n.key === 'secure-boot' && n.met === false);
        if (secureBoot) add({ key: 'secure-boot', status: 'warn', title: 'Secure Boot', detail: secureBoot.detail, hint: 'Upload a kernel signed by a key shim trusts (Debian\'s own is), or boot this role\'s UEFI hosts with Secure Boot off.' });
      }
      add(plan.unknownVariables.length
        ? { key: 'cmdline', status: 'warn', title: 'Kernel command line', detail: `Unknown placeholders left as written: ${plan.unknownVariables.map((v) => `{${v}}`).join(', ')}.`, hint: `Fix the role's cmdline template.` }
        : { key: 'cmdline', status: 'ok', title: 'Kernel command line', detail: plan.cmdline });
      break;
    }
  }

  // 4. Per firmware: DHCP's boot file (pickBootFile), then what that loader fetches.
  const role = host.roleId ? ctx.view.findRoleById(host.roleId) : null;
  const firmwares: FirmwareBoot[] = [];
  if (network && host.mac) {
    const client = (arch: ClientArch): BootClient => ({ mac: host.mac, arch, isPxe: true, isIpxe: false });
    firmwares.push(firmwareBoot(ctx, 'bios', 'BIOS PXE', client(ClientArch.X86Bios), host.mac, plan, role, network));
    firmwares.push(firmwareBoot(ctx, 'uefi', 'UEFI PXE (x64)', client(ClientArch.X64Efi), host.mac, plan, role, network));
    firmwares.push(firmwareBoot(ctx, 'uefi-http', 'UEFI HTTP boot (x64)', client(ClientArch.X64EfiHttp), host.mac, plan, role, network));
    const offered = firmwares.filter((f) => f.dhcpBootFile !== null).map((f) => f.label);
    add(offered.length
      ? { key: 'firmware', status: 'ok', title: 'Firmware', detail: `Boot file offered for ${offered.join(', ')}.${firmwares.some((f) => !f.dhcpBootFile) ? ` None for ${firmwares.filter((f) => !f.dhcpBootFile).map((f) => f.label).join(', ')}.` : ''}` }
      : { key: 'firmware', status: 'fail', cause: 'no-boot-file', title: 'Firmware', detail: 'DHCP offers no boot file for any firmware.' });
  }

  const failing = checks.find((c) => c.status === 'fail');
  return {
    hostId: host.id,
    hostname: host.hostname,
    canBoot: !failing,
    cause: failing?.cause ?? null,
    checks,
    plan: {
      kind: plan.kind,
      reason: plan.kind === 'unbootable' ? plan.reason : plan.kind === 'linux' || plan.kind === 'localdisk' ? plan.reason : null,
      imageId: plan.kind === 'linux' ? plan.image.id : null,
      imageVersion: plan.kind === 'linux' ? plan.image.version : null,
      roleName: plan.kind === 'linux' ? plan.role.name : role?.name ?? null,
      rootMode: plan.kind === 'linux' ? plan.role.rootMode : role?.rootMode ?? null,
    },
    cmdline,
    firmwares,
    servedBy,
    relayPath,
  };
}

/**
 * Which bootd answer the network (config-cache.ts servesNetwork: a named bootd only the networks
 * assigned to it, an unnamed one every network), and whether one of them is running.
 */
function bootServerCheck(ctx: DoctorContext, network: NetworkView, servedBy: HostDiagnosis['servedBy']): DoctorCheck {
  const files = `files from ${network.bootServer ?? ctx.bootServer.serverAddress}`;
  if (servedBy.length === 0) {
    return { key: 'boot-server', status: 'ok', title: 'Boot server', detail: `${network.name} names no boot server: any bootd started without a name answers it (the console's own); ${files}.` };
  }
  const words = servedBy.map((s) => `${s.name} (${s.state})`).join(', ');
  if (!ctx.bootServerStates || servedBy.some((s) => s.state === 'healthy' || s.state === 'lagging')) {
    return { key: 'boot-server', status: servedBy.every((s) => s.state === 'healthy') || !ctx.bootServerStates ? 'ok' : 'warn', title: 'Boot server', detail: `Answered by ${words}; ${files}.` };
  }
  return {
    key: 'boot-server', status: 'fail', cause: 'no-boot-server', title: 'Boot server',
    detail: `${network.name} is served only by ${words}: none of them is running, so nothing answers its DHCP.`,
    hint: 'Start the boot server (see the Boot servers page for its last heartbeat), or assign the network to one that runs.',
  };
}

function unbootableHint(cause: UnbootableCause): string {
  switch (cause) {
    case 'no-role': return 'Give the host a role.';
    case 'role-missing': return 'Choose an existing role for the host.';
    case 'role-without-image': return 'Upload an image for the role and make it active (stage, promote).';
    case 'image-missing': return 'Clear the image override or pick an existing image.';
    case 'image-incomplete': return 'Upload the image\'s kernel and initrd.';
    case 'override-without-image': return 'Clear the one-shot override.';
  }
}

/** What one firmware fetches, step by step, and the config text bootd serves it. */
function firmwareBoot(ctx: DoctorContext, firmware: FirmwareBoot['firmware'], label: string, client: BootClient, mac: string, plan: BootPlan, role: ReturnType<BootView['findRoleById']>, network: NetworkView): FirmwareBoot {
  const { httpBaseUrl } = ctx.bootServer;
  const config = { serverAddress: ctx.bootServer.serverAddress, httpBaseUrl };
  const first = pickBootFile(client, role, network, config);
  if (!first) return { firmware, label, dhcpBootFile: null, nextServer: null, chain: [], config: null };
  const chain: BootChainStep[] = [{ file: first.fileName, over: /^https?:/.test(first.fileName) ? 'http' : 'tftp', note: `from ${first.nextServer}` }];
  if (ctx.verdictOnly) return { firmware, label, dhcpBootFile: first.fileName, nextServer: first.nextServer, chain, config: null };
  let served: FirmwareBoot['config'] = null;
  const ipxeScript = () => {
    // iPXE does DHCP again, announcing itself: pickBootFile then names its script.
    const again = pickBootFile({ ...client, isIpxe: true }, role, network, config);
    const url = again?.fileName ?? joinUrl(httpBaseUrl, httpIpxeScriptPath(mac));
    chain.push({ file: url, over: 'dhcp', note: 'iPXE asks DHCP again and is given its script' });
    served = { name: url, over: 'http', text: renderIpxeScript(plan, httpBaseUrl) };
  };
  const name = first.fileName.slice(first.fileName.lastIndexOf('/') + 1);
  if (name === 'pxelinux.0') {
    const cfg = pxelinuxConfigName(mac);
    chain.push({ file: cfg, over: 'tftp' });
    served = { name: cfg, over: 'tftp', text: renderPxelinuxConfig(plan) };
  } else if (/^(undionly\.kpxe|ipxe\.efi|snponly\.efi)$/.test(name)) {
    ipxeScript();
  } else if (/^(shim|grub)[a-z0-9]*\.efi$/.test(name)) {
    const over = /^https?:/.test(first.fileName) ? 'http' : 'tftp';
    // The Secure Boot chain: shim loads grubx64.efi from beside itself; Debian's signed GRUB
    // asks only for grub/grub.cfg, which bootd answers with the config of the host at the
    // client's address, else a configfile of the per-MAC name (boot-config/boot-files.ts).
    if (name.startsWith('shim')) chain.push({ file: uefiBootloaderNames.grub, over, note: 'shim loads it from beside itself' });
    chain.push({ file: 'grub/grub.cfg', over, note: `bootd answers with this host's config (found by its address), else points GRUB to ${grubConfigName(mac)}` });
    served = { name: grubConfigName(mac), over, text: renderGrubConfig(plan) };
  } else if (/\/boot\/v1\/ipxe\//.test(first.fileName)) {
    served = { name: first.fileName, over: 'http', text: renderIpxeScript(plan, httpBaseUrl) };
  }
  if (plan.kind === 'linux') {
    const viaHttp = served?.over === 'http';
    chain.push({ file: `images/${plan.image.id}/kernel`, over: viaHttp ? 'http' : 'tftp' }, { file: `images/${plan.image.id}/initrd`, over: viaHttp ? 'http' : 'tftp' });
    if (plan.role.rootMode === 'ram' && plan.image.rootfs) chain.push({ file: `images/${plan.image.id}/rootfs`, over: 'http', note: 'fetched by the agent' });
  }
  return { firmware, label, dhcpBootFile: first.fileName, nextServer: first.nextServer, chain, config: served };
}

export interface FleetDoctorSummary {
  hosts: number;
  cannotBoot: number;
  /** Failing hosts by cause, most first. */
  groups: Array<{ cause: DoctorCause | 'other'; text: string; hosts: Array<{ id: string; hostname: string }> }>;
}

/** Hosts that can't boot, by cause; diagnose them with `verdictOnly` (a fleet's summary needs no config text). */
export function summarizeFleet(diagnoses: readonly HostDiagnosis[]): FleetDoctorSummary {
  const groups = new Map<DoctorCause | 'other', Array<{ id: string; hostname: string }>>();
  for (const d of diagnoses) {
    if (d.canBoot) continue;
    const key = d.cause ?? 'other';
    const hosts = groups.get(key) ?? [];
    hosts.push({ id: d.hostId, hostname: d.hostname });
    groups.set(key, hosts);
  }
  return {
    hosts: diagnoses.length,
    cannotBoot: diagnoses.filter((d) => !d.canBoot).length,
    groups: [...groups].map(([cause, hosts]) => ({ cause, text: cause === 'other' ? 'other reasons' : doctorCauseText[cause], hosts })).sort((a, b) => b.hosts.length - a.hosts.length),
  };
}
