// The boot agent's API on bootd's HTTP port (DESIGN.md "The boot, end to end"):
//   GET  /boot/v1/identity?mac=…[&format=env]  who am I, what do I boot (from the view)
//   POST /boot/v1/progress                      a phase, with bytes for the rootfs download
//   POST /boot/v1/up                            the booted system is up (clears a one-shot override)
//   POST /boot/v1/discovery                     an unknown machine's hardware facts
// A request speaks for a MAC only from the address reserved to that MAC's host or leased to
// that MAC: no host speaks for another. Bad input gets a 4xx, counted per source, and a
// "rejected" event once a source and minute (events/refusal-summary.ts), never a crash.
// Nothing here blocks on the database except the lease check of pool clients, the in-use check
// of a claim by name and the discovery write, which are rare and bounded.
//
// Identity by name (the agent's `fleetboot.host=<hostname>`, DESIGN.md "Identity"): a MAC bootd
// knows is always its own host, and a name that differs is refused (409). A MAC bootd doesn't
// know (hardware not registered yet, a replaced NIC) may speak for the named host when
//   1. it speaks from the named host's reserved address, or from a pool address leased to that
//      very MAC (Lease table), else 403;
//   2. the name exists, else 404;
//   3. the host isn't booting or up as another machine right now (its state is booting/up and
//      its latest boot session is another MAC's: its registered NIC, or another claimer), else 409.
// Its progress and up reports carry the name too and pass the same rule, so its events carry the
// host and land on the host's timeline. bootd doesn't register the MAC: the identity answer
// records an `identified-by-name` event on the host's timeline naming the MAC (and the MAC it
// replaces); an operator makes it permanent with the discovered machine's claim.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { BootView, HostView } from '../../lib/boot/boot-view.ts';
import { clientHostsOf, type BootdContext, type LogServer } from '../bootd-context.ts';
import { planBootForHost, planBootForMac, type BootPlan } from '../../lib/boot/boot-plan.ts';
import { httpArtifactPath, joinUrl } from '../../lib/boot/boot-paths.ts';
import { clientAddress, sendJson, type HttpRoute } from '../http/service.ts';
import { firstIssue } from '../../lib/zod-issues.ts';
import { discoveryBody, identityQuery, progressBody, upBody, type UpHealth } from './agent-requests.ts';
import type { OneShotOverrideSink } from './one-shot-override.ts';
import type { AgentChecks } from '../store/agent-records.ts';
import type { DiscoverySink } from '../store/discovery.ts';
import type { RefusalSummary } from '../events/refusal-summary.ts';

export const maxAgentBodyBytes = 64 * 1024;

export interface Identity {
  status: 'known' | 'unknown';
  /** boot: mount the root and go; rescue: the one-shot rescue override; fail: can't boot (reason); wait: unknown, be claimed. */
  action: 'boot' | 'rescue' | 'fail' | 'wait';
  hostname?: string;
  hostId?: string;
  role?: string;
  rootMode?: string;
  imageId?: string;
  imageVersion?: string;
  rootfsUrl?: string;
  rootfsSha256?: string;
  rootfsBytes?: number;
  nfsExport?: string;
  diskRoot?: string;
  ip?: string;
  /** The role's health check when it is a command (a URL is checked by the console itself). */
  healthCommand?: string;
  /** How bootd found the host: its MAC, or the agent's fleetboot.host= for a MAC it doesn't know. */
  by?: 'mac' | 'name';
  /** bootd's syslog receiver, address:port: the agent forwards its log there and leaves it for the booted system. */
  syslogServer?: string;
  reason?: string;
}

/** Role.healthCheck is either an http(s) URL (the console's gate fetches it) or a command the booted host runs. */
export function healthCommandOf(healthCheck: string | null): string | undefined {
  if (!healthCheck || /^https?:\/\//i.test(healthCheck.trim())) return undefined;
  return healthCheck;
}

/**
 * Where the host sends its log (any port, unlike DHCP option 7); nothing while bootd's syslog is
 * off or its port isn't bound, so the agent keeps the option 7 target it may have, or none.
 */
export function withLogServer(identity: Identity, logServer: LogServer | null): Identity {
  return logServer ? { ...identity, syslogServer: `${logServer.address}:${logServer.port}` } : identity;
}

/** What a MAC boots, from the view alone (pure): the same decision as the generated configs. */
export function identityFor(view: BootView, mac: string, httpBaseUrl: string): Identity {
  return identityOfPlan(planBootForMac({ view, httpBaseUrl }, mac), httpBaseUrl);
}

/** What a host found by name boots: the plan its own MAC would get. */
export function identityForHost(view: BootView, host: HostView, httpBaseUrl: string): Identity {
  return { ...identityOfPlan(planBootForHost({ view, httpBaseUrl }, host), httpBaseUrl), by: 'name' };
}

function identityOfPlan(plan: BootPlan, httpBaseUrl: string): Identity {
  switch (plan.kind) {
    case 'discovery':
      return { status: 'unknown', action: 'wait' };
    case 'linux': {
      const { host, role, image } = plan;
      return {
        status: 'known', action: plan.reason === 'rescue' ? 'rescue' : 'boot', hostname: host.hostname, hostId: host.id,
        role: role.name, rootMode: role.rootMode, imageId: image.id, imageVersion: image.version,
        rootfsUrl: image.rootfs ? joinUrl(httpBaseUrl, httpArtifactPath(image.id, 'rootfs')) : undefined,
        rootfsSha256: image.rootfs?.sha256, rootfsBytes: image.rootfs?.sizeBytes,
        nfsExport: role.nfsExport ?? undefined, diskRoot: role.diskRoot ?? undefined, ip: host.ip ?? undefined,
        healthCommand: healthCommandOf(role.healthCheck),
      };
    }
    case 'unbootable':
      return { status: 'known', action: 'fail', hostname: plan.host.hostname, hostId: plan.host.id, reason: plan.reason };
    case 'localdisk':
    case 'memtest':
      return { status: 'known', action: 'fail', hostname: plan.host.hostname, hostId: plan.host.id, reason: `host is set to boot ${plan.kind}, not Linux` };
  }
}

/** The reason a failed health check gives on the timeline: which check, its command, how it ended. */
export function healthFailureReason(health: UpHealth): string {
  const which = health.check === 'role' ? 'the role\'s health check' : health.check === 'image' ? 'the image\'s health check' : 'the health check';
  const command = health.command ? ` \`${health.command}\`` : '';
  const ended = health.exitStatus === undefined ? 'did not pass'
    : health.exitStatus === 143 ? 'timed out (exit 143)' : `exited ${health.exitStatus}`;
  const output = health.output?.trim() ? `: ${health.output.trim()}` : '';
  return `${which}${command} ${ended}${output}`;
}

/** key=value lines for the agent's `while read` (no shell evaluation); newlines can't leak in. */
export function identityAsEnv(identity: Identity): string {
  return Object.entries(identity).filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${String(v).replace(/[\r\n]/g, ' ')}`).join('\n') + '\n';
}

export interface BootApiDeps {
  ctx: BootdContext;
  /** The host's live state follows from these events (boot sessions in the event writer); only the one-shot override is ours to clear. */
  oneShot: OneShotOverrideSink;
  /** The database's answers about a request's speaker (the Lease table, boot sessions). */
  checks: AgentChecks;
  /** Where an unknown machine's facts go (and its automatic claim by serial or asset tag). */
  discovery: DiscoverySink;
  /** Refusals counted per source and written as events once a source and minute (events/refusal-summary.ts). */
  refusals: RefusalSummary;
}

type Rejection = { status: number; reason: string; field?: string };
/** Who a rejected request spoke for, for the event (never the event's host: a refused request is no boot step). */
type Claimed = { mac?: string; host?: string };
class Rejected extends Error {
  constructor(readonly rejection: Rejection, readonly claimed: Claimed = {}) { super(rejection.reason); }
}

/** Who a request speaks for: the MAC's host (null for an unknown machine), found by MAC or by name. */
interface Speaker { host: HostView | null; by: 'mac' | 'name' }

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('application/json')) throw new Rejected({ status: 415, reason: 'send application/json' });
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxAgentBodyBytes) throw new Rejected({ status: 413, reason: `body over ${maxAgentBodyBytes} bytes` });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxAgentBodyBytes) throw new Rejected({ status: 413, reason: `body over ${maxAgentBodyBytes} bytes` });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new Rejected({ status: 400, reason: 'body is not JSON', field: 'body' });
  }
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const { field, message } = firstIssue(result.error);
    throw new Rejected({ status: 400, reason: `${field}: ${message}`, field });
  }
  return result.data;
}

export function bootApiRoutes(deps: BootApiDeps): HttpRoute[] {
  const { ctx, oneShot } = deps;
  const count = (route: string, result: string) => ctx.metrics.inc('fleetboot_agent_requests_total', 'Boot agent API requests by route and result', { route, result });

  async function leaseCheck(mac: string, clientIp: string, claimed: Claimed): Promise<boolean> {
    try {
      return await deps.checks.leaseHeld(mac, clientIp);
    } catch {
      throw new Rejected({ status: 503, reason: 'lease check unavailable (database)' }, claimed);
    }
  }

  /** The MAC's host (or null for an unknown machine) if the request comes from its address. */
  async function authorize(mac: string, clientIp: string): Promise<HostView | null> {
    const host = ctx.view.findHostByMac(mac);
    if (host?.ip && host.ip === clientIp) return host;
    if (await leaseCheck(mac, clientIp, { mac })) return host;
    throw new Rejected({ status: 403, reason: host ? `${clientIp} is not the address of ${host.hostname}` : `${clientIp} is not leased to ${mac}` }, { mac });
  }

  /** The rule in this file's header: a known MAC is its host; an unknown one may claim a name. */
  async function speakerFor(mac: string, clientIp: string, name: string | undefined): Promise<Speaker> {
    const speaker = await findSpeaker(mac, clientIp, name);
    // The address now speaks for this MAC (and host): transfers and logs from it land on that host.
    clientHostsOf(ctx).noteAgent(clientIp, mac, speaker.host?.id ?? null);
    return speaker;
  }

  async function findSpeaker(mac: string, clientIp: string, name: string | undefined): Promise<Speaker> {
    const claimed = { mac, host: name };
    if (!name || ctx.view.findHostByMac(mac)) {
      const host = await authorize(mac, clientIp);
      if (name && host && name.toLowerCase() !== host.hostname) {
        throw new Rejected({ status: 409, reason: `fleetboot.host=${name} but ${mac} belongs to ${host.hostname}`, field: 'host' }, claimed);
      }
      return { host, by: 'mac' };
    }
    const host = ctx.view.findHostByHostname(name);
    const fromReserved = host?.ip !== undefined && host.ip !== null && host.ip === clientIp;
    if (!fromReserved && !(await leaseCheck(mac, clientIp, claimed))) {
      throw new Rejected({ status: 403, reason: `${clientIp} is neither leased to ${mac} nor the address of ${name}`, field: 'host' }, claimed);
    }
    if (!host) throw new Rejected({ status: 404, reason: `fleetboot.host=${name}: no host has that name`, field: 'host' }, claimed);
    let runningAs: string | null;
    try {
      runningAs = await deps.checks.hostRunningAs(host.id);
    } catch {
      throw new Rejected({ status: 503, reason: 'host state check unavailable (database)' }, claimed);
    }
    if (runningAs !== null && runningAs !== mac) {
      throw new Rejected({ status: 409, reason: `${host.hostname} is booting or up as ${runningAs}: ${mac} can't take its name`, field: 'host' }, claimed);
    }
    return { host, by: 'name' };
  }

  /** Runs a handler; a rejection becomes its status, a counted result and (once a source and minute) an event. */
  const guarded = (route: string, fn: (req: IncomingMessage, res: ServerResponse, clientIp: string) => Promise<void>) =>
    async (req: IncomingMessage, res: ServerResponse) => {
      const clientIp = clientAddress(req);
      try {
        await fn(req, res, clientIp);
        count(route, 'ok');
      } catch (err) {
        if (!(err instanceof Rejected)) throw err;
        const { status, reason, field } = err.rejection;
        count(route, `rejected-${status}`);
        // The claimed MAC and name go in the detail only: on the event itself they would open or move a boot session.
        deps.refusals.refused({ service: 'agent', clientIp, route, status, reason, claimed: err.claimed });
        if (!res.headersSent) sendJson(res, status, { error: reason, field });
      }
    };

  return [
    {
      method: 'GET',
      path: /^\/boot\/v1\/identity$/,
      handle: guarded('identity', async (req, res, clientIp) => {
        const url = new URL(req.url ?? '/', 'http://bootd');
        const q = parse(identityQuery, Object.fromEntries(url.searchParams));
        const speaker = await speakerFor(q.mac, clientIp, q.host);
        let identity: Identity;
        if (speaker.by === 'name' && speaker.host) {
          const host = speaker.host;
          identity = identityForHost(ctx.view, host, ctx.config.httpBaseUrl);
          // bootd doesn't take the MAC for the host on its own (a mistyped name would stick): the event says which MAC it was.
          ctx.events.record({
            source: 'agent', type: 'identified-by-name', hostId: host.id, mac: q.mac,
            detail: { clientIp, hostname: host.hostname, ...(host.mac ? { registeredMac: host.mac } : {}), note: `${q.mac} is not registered: claim it for ${host.hostname} to boot it by MAC` },
          });
          ctx.log.info('boot agent identified by name', { mac: q.mac, hostname: host.hostname, registeredMac: host.mac, clientIp });
        } else {
          identity = identityFor(ctx.view, q.mac, ctx.config.httpBaseUrl);
        }
        identity = withLogServer(identity, ctx.logServer?.() ?? null);
        if (q.format === 'env') {
          const text = identityAsEnv(identity);
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' }).end(text);
        } else {
          sendJson(res, 200, identity);
        }
      }),
    },
    {
      method: 'POST',
      path: /^\/boot\/v1\/progress$/,
      handle: guarded('progress', async (req, res, clientIp) => {
        const body = parse(progressBody, await readJsonBody(req));
        const { host } = await speakerFor(body.mac, clientIp, body.host);
        ctx.events.record({
          source: 'agent', type: body.phase, hostId: host?.id ?? null, mac: body.mac,
          detail: {
            clientIp, ...(body.reason ? { reason: body.reason } : {}),
            ...(body.memoryPeakBytes !== undefined ? { memoryBeforeBytes: body.memoryBeforeBytes, memoryPeakBytes: body.memoryPeakBytes } : {}),
          },
          bytesDone: body.bytesDone, bytesTotal: body.bytesTotal,
        });
        sendJson(res, 200, { ok: true });
      }),
    },
    {
      method: 'POST',
      path: /^\/boot\/v1\/up$/,
      handle: guarded('up', async (req, res, clientIp) => {
        const body = parse(upBody, await readJsonBody(req));
        const { host } = await speakerFor(body.mac, clientIp, body.host);
        if (!host) throw new Rejected({ status: 404, reason: `${body.mac} is not a known host`, field: 'mac' }, { mac: body.mac });
        // Booted but its health check never passed: the boot failed, and says why.
        if (body.health && !body.health.ok) {
          ctx.events.record({ source: 'agent', type: 'failed', hostId: host.id, mac: body.mac, detail: { clientIp, phase: 'health-check', reason: healthFailureReason(body.health), health: body.health } });
        } else {
          ctx.events.record({ source: 'agent', type: 'up', hostId: host.id, mac: body.mac, detail: { clientIp, ...(body.health ? { health: body.health } : {}) } });
          oneShot.clearAfterUp(host.id);
        }
        sendJson(res, 200, { ok: true, hostname: host.hostname });
      }),
    },
    {
      method: 'POST',
      path: /^\/boot\/v1\/discovery$/,
      handle: guarded('discovery', async (req, res, clientIp) => {
        const body = parse(discoveryBody, await readJsonBody(req));
        const host = await authorize(body.mac, clientIp);
        if (host) throw new Rejected({ status: 409, reason: `${body.mac} is already ${host.hostname}`, field: 'mac' });
        const network = ctx.view.findNetworkContaining(clientIp);
        const result = await deps.discovery.recordAgentDiscovery({ mac: body.mac, ip: clientIp, networkId: network?.id ?? null, facts: body.facts });
        const { serial, product, vendor, cpus, memoryKib } = body.facts;
        ctx.events.record({ source: 'agent', type: 'discovered', mac: body.mac, detail: { clientIp, serial, product, vendor, cpus, memoryKib, ambiguous: result.ambiguous || undefined } });
        if (result.matched) {
          ctx.events.record({ source: 'agent', type: 'matched', mac: body.mac, hostId: result.matched.id, detail: { hostname: result.matched.hostname, by: result.matched.by } });
          ctx.log.info('discovered machine matched a registered host', { mac: body.mac, hostname: result.matched.hostname, by: result.matched.by });
        }
        sendJson(res, 200, { ok: true, matched: result.matched?.hostname ?? null });
      }),
    },
  ];
}
