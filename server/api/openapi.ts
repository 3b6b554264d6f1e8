// The OpenAPI 3.1 document of /api/v1, made from the same zod schemas the routes parse with
// (zod 4 emits JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
import { z } from 'zod';
import { hostCreate, hostListQuery, hostUpdate } from '../hosts/schema.ts';
import { bulkHostAction } from '../hosts/bulk-schema.ts';
import { savedFilterCreate } from '../hosts/saved-filter-schema.ts';
import { globalSearchQuery } from '../search/schema.ts';
import { imageCreate, imageListQuery, imageUpdate } from '../images/schema.ts';
import { networkCreate, networkListQuery, networkUpdate } from '../networks/schema.ts';
import { roleCreate, roleListQuery, roleUpdate } from '../roles/schema.ts';
import { eventListQuery, eventStreamQuery } from '../events/schema.ts';
import { auditListQuery } from '../audit/queries.ts';
import { passwordChange, signInInput, userCreate, userUpdate } from '../users/schema.ts';
import { consoleSettingsUpdate } from '../settings/schema.ts';
import { tokenCreate } from '../tokens/schema.ts';
import { bootServerCreate } from '../boot-servers/schema.ts';
import { claimInput, discoveredListQuery } from '../discovery/schema.ts';
import { artifactUploadQuery, uploadSessionCreate } from '../images/schema.ts';
import { bulkPowerInput, bulkPowerListQuery, powerActionInput } from '../power/schema.ts';
import { promoteInput, rollbackInput, rolloutListQuery, stageInput } from '../lifecycle/schema.ts';
import { hostLogQuery } from '../logs/queries.ts';
import { bootConsoleQuery, hostConsolesQuery } from '../console/boot-console-schema.ts';
import { pageQuery } from '../listing/pagination.ts';
import { json } from './respond.ts';
import { macSpellingPattern } from '../../lib/mac.ts';

/** `boot-server`: a boot server's own credential (fbb_…), not a user's session or token. */
type Role = 'viewer' | 'operator' | 'admin' | 'public' | 'boot-server';

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  role: Role;
  query?: z.ZodObject;
  body?: z.ZodType;
  bodyType?: 'application/octet-stream' | 'application/offset+octet-stream' | 'multipart/form-data' | 'text/csv';
  headers?: HeaderParameter[];
  created?: boolean;
}

interface HeaderParameter {
  name: string;
  required: boolean;
  description: string;
  schema: Record<string, unknown>;
}

const checksumParameter: HeaderParameter = { name: 'X-Checksum-Sha256', required: false, description: "the file's sha256 (64 hex digits): a mismatch refuses the file (400, field sha256)", schema: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' } };

/** A request body other than JSON, by its media type. */
function rawBody(type: NonNullable<Operation['bodyType']>): Record<string, unknown> {
  const file = { type: 'string', contentMediaType: 'application/octet-stream' };
  if (type === 'multipart/form-data') {
    return {
      'multipart/form-data': {
        schema: {
          type: 'object',
          description: 'one file part named after the kind (kernel, initrd or rootfs)',
          properties: { kernel: file, initrd: file, rootfs: file, sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' }, force: { type: 'string', enum: ['true', 'false', '1', '0'] } },
        },
      },
    };
  }
  if (type === 'text/csv') return { 'text/csv': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'array', items: { type: 'object' } } } };
  return { [type]: { schema: file } };
}

const listOf = (q: z.ZodObject) => pageQuery.extend(q.shape);

export const operations: Operation[] = [
  { method: 'post', path: '/auth/login', summary: 'Sign in (sets the session cookie; answers next, the console path to go to). Failed attempts are throttled per user name and client address: 429 with Retry-After', role: 'public', body: signInInput },
  { method: 'post', path: '/auth/logout', summary: 'Sign out', role: 'public' },
  { method: 'get', path: '/openapi.json', summary: 'This document (OpenAPI 3.1)', role: 'public' },
  { method: 'get', path: '/auth/me', summary: 'Who am I', role: 'viewer' },
  { method: 'get', path: '/networks', summary: 'List networks', role: 'viewer', query: listOf(networkListQuery) },
  { method: 'post', path: '/networks', summary: 'Create a network', role: 'operator', body: networkCreate, created: true },
  { method: 'get', path: '/networks/{id}', summary: 'Get a network', role: 'viewer' },
  { method: 'patch', path: '/networks/{id}', summary: 'Change a network', role: 'operator', body: networkUpdate },
  { method: 'delete', path: '/networks/{id}', summary: 'Delete a network', role: 'operator' },
  { method: 'get', path: '/roles', summary: 'List roles', role: 'viewer', query: listOf(roleListQuery) },
  { method: 'post', path: '/roles', summary: 'Create a role', role: 'operator', body: roleCreate, created: true },
  { method: 'get', path: '/roles/{id}', summary: 'Get a role', role: 'viewer' },
  { method: 'patch', path: '/roles/{id}', summary: 'Change a role', role: 'operator', body: roleUpdate },
  { method: 'delete', path: '/roles/{id}', summary: 'Delete a role', role: 'operator' },
  { method: 'get', path: '/images', summary: 'List images', role: 'viewer', query: listOf(imageListQuery) },
  { method: 'post', path: '/images', summary: 'Register an image version', role: 'operator', body: imageCreate, created: true },
  { method: 'get', path: '/images/{id}', summary: 'Get an image', role: 'viewer' },
  { method: 'patch', path: '/images/{id}', summary: 'Change an image', role: 'operator', body: imageUpdate },
  { method: 'delete', path: '/images/{id}', summary: 'Delete an image', role: 'operator' },
  { method: 'put', path: '/images/{id}/artifacts/{kind}', summary: 'Upload an artifact (kind: kernel, initrd or rootfs) as the raw body (curl -T), streamed to disk; checksum as ?sha256= or X-Checksum-Sha256; 409 for a ready image unless ?force=true; 413 over FLEETBOOT_MAX_ARTIFACT_BYTES. A multipart/form-data body is read as POST reads it', role: 'operator', query: artifactUploadQuery, headers: [checksumParameter], bodyType: 'application/octet-stream' },
  { method: 'post', path: '/images/{id}/artifacts/{kind}', summary: 'Upload an artifact as multipart/form-data (curl -F kernel=@vmlinuz -F sha256=…): the part named after the kind is the file, streamed to disk; sha256 and force fields (before or after the file; force counts before it) or the same query/header as PUT; published only once the form is complete and its checksum matches', role: 'operator', query: artifactUploadQuery, headers: [checksumParameter], bodyType: 'multipart/form-data' },
  { method: 'post', path: '/images/{id}/artifacts/{kind}/uploads', summary: 'Start a resumable upload of an artifact of sizeBytes (tus-like): answers its id, url and offset 0; then PATCH /uploads/{id} the file in chunks. 409 for a ready image unless force; 413 over FLEETBOOT_MAX_ARTIFACT_BYTES', role: 'operator', body: uploadSessionCreate, created: true },
  { method: 'get', path: '/uploads/{id}', summary: 'A resumable upload: offset (bytes stored; resume there), sizeBytes, complete, expiresAt; also as Upload-Offset / Upload-Length / Upload-Expires headers, and HEAD answers those headers alone. 404 once expired (FLEETBOOT_UPLOAD_EXPIRY_HOURS without a byte, default 24)', role: 'operator' },
  { method: 'patch', path: '/uploads/{id}', summary: "Append a chunk at Upload-Offset (409 with details.offset when that isn't where the upload is). The chunk that completes the file checks its sha256 (given at creation or as X-Checksum-Sha256) and publishes it like PUT: the answer then has complete: true and the image. An empty PATCH at the full length finishes an upload stored but not yet published", role: 'operator', headers: [{ name: 'Upload-Offset', required: true, description: 'the byte this chunk starts at', schema: { type: 'integer', minimum: 0 } }, checksumParameter], bodyType: 'application/offset+octet-stream' },
  { method: 'delete', path: '/uploads/{id}', summary: 'Cancel a resumable upload (its bytes are deleted)', role: 'operator' },
  { method: 'post', path: '/images/{id}/stage', summary: 'Stage the image on a spare (given, or an idle spare of its role, or any idle spare): the spare boots it and must pass the health gate', role: 'operator', body: stageInput, created: true },
  { method: 'get', path: '/images/{id}/stages', summary: "The image's stages (newest first) with the latest spare's boot events", role: 'viewer' },
  { method: 'get', path: '/stages/{id}', summary: "A stage: its gate state, reason, and the spare's boot events since it started", role: 'viewer' },
  { method: 'post', path: '/stages/{id}/cancel', summary: 'Cancel a live stage (the image goes back to ready, the spare to its previous image)', role: 'operator' },
  { method: 'post', path: '/images/{id}/promote', summary: "Make a verified image the role's active one (the old one kept as previous) and start a rollout (rollout: false to skip it)", role: 'operator', body: promoteInput },
  { method: 'post', path: '/roles/{id}/rollback', summary: "Put the role's previous image back as active and roll it out (aborts a live rollout of the role)", role: 'operator', body: rollbackInput },
  { method: 'get', path: '/rollouts', summary: 'Rollouts and rollbacks, newest first, with each host\'s progress', role: 'viewer', query: rolloutListQuery },
  { method: 'get', path: '/rollouts/{id}', summary: "A rollout with each host's batch and state", role: 'viewer' },
  { method: 'post', path: '/rollouts/{id}/pause', summary: 'Pause a rollout: no new boots (hosts already rebooting are still watched)', role: 'operator' },
  { method: 'post', path: '/rollouts/{id}/resume', summary: 'Resume a paused rollout', role: 'operator' },
  { method: 'post', path: '/rollouts/{id}/abort', summary: 'Abort a rollout', role: 'operator' },
  { method: 'get', path: '/hosts', summary: 'List hosts (filters, sort, cursor pages)', role: 'viewer', query: listOf(hostListQuery) },
  { method: 'post', path: '/hosts', summary: 'Register a host (MAC optional)', role: 'operator', body: hostCreate, created: true },
  { method: 'post', path: '/hosts/import', summary: 'Import hosts from CSV or JSON, all or nothing', role: 'operator', bodyType: 'text/csv', created: true },
  { method: 'post', path: '/hosts/bulk', summary: "One action on many hosts, chosen by hostIds or by filter (the filter of GET /hosts; {} is every host), at most 20,000: update (set roleId, networkId, spare, bootEnabled, bootOverride, imageOverrideId), delete, or power (queued as a bulk power action: 202, Location /power/actions/{id}, host by host). An update or delete is one transaction (every host or none; 409 naming the field and the hosts that refuse) and one audit entry listing the hosts. dryRun: true answers matched/changed/unchanged and each host's changes and problems, changing nothing. expectedCount: the count the operator confirmed; another count is 409", role: 'operator', body: bulkHostAction },
  { method: 'get', path: '/search', summary: "Find anything: hosts by name, MAC (any spelling), IP or serial, roles by name, images by version or role, networks by name or CIDR; a few of each (limit) with each kind's total", role: 'viewer', query: globalSearchQuery },
  { method: 'get', path: '/saved-filters', summary: "Your saved hosts-list filters (each a query string and its /hosts URL)", role: 'viewer' },
  { method: 'post', path: '/saved-filters', summary: "Save a hosts-list filter under a name (yours only; the query is checked as GET /hosts would)", role: 'viewer', body: savedFilterCreate, created: true },
  { method: 'delete', path: '/saved-filters/{id}', summary: 'Delete one of your saved filters', role: 'viewer' },
  { method: 'get', path: '/hosts/{id}', summary: 'Get a host', role: 'viewer' },
  { method: 'patch', path: '/hosts/{id}', summary: 'Change a host', role: 'operator', body: hostUpdate },
  { method: 'delete', path: '/hosts/{id}', summary: 'Delete a host', role: 'operator' },
  { method: 'post', path: '/hosts/{id}/power', summary: "Power action through the host's BMC (IPMI lanplus): status, on, off, cycle, reset, pxe (next boot only), pxe-boot (pxe then cycle, or on when off); 502 when the BMC refuses, 504 when it doesn't answer in time", role: 'operator', body: powerActionInput },
  { method: 'post', path: '/power', summary: "One power action on many hosts. status answers at once (200, each host's power); every other action is queued (202, a bulk power action, Location /power/actions/{id}) and sent by the worker: an action that boots (on, cycle, reset, pxe-boot) never has more hosts booting than the tightest max concurrent boots of their roles, nor the fleet more than FLEETBOOT_MAX_CONCURRENT_BOOTS (a host boots from its command until it reports up or failed, or hostTimeoutSeconds pass); off and pxe are not limited by boots", role: 'operator', body: bulkPowerInput },
  { method: 'get', path: '/power/actions', summary: "Bulk power actions, newest first, with each host's progress (queued, sent, booting, up, done, failed with the BMC's error, cancelled)", role: 'viewer', query: bulkPowerListQuery },
  { method: 'get', path: '/power/actions/{id}', summary: "A bulk power action with each host's progress", role: 'viewer' },
  { method: 'post', path: '/power/actions/{id}/cancel', summary: 'Cancel a bulk power action: the hosts still queued are never sent; those already sent are watched until up, failed or their timeout', role: 'operator' },
  { method: 'get', path: '/hosts/{id}/events', summary: "A host's boot events, newest first", role: 'viewer', query: eventListQuery },
  { method: 'get', path: '/hosts/{id}/logs', summary: "The host's last syslog lines as bootd received them, oldest first; lines is null when bootd can't be asked (not running, or syslog not in FLEETBOOT_SERVICES)", role: 'viewer', query: hostLogQuery },
  { method: 'get', path: '/hosts/{id}/consoles', summary: "The host's boots with a recorded serial console, newest first (chars kept per boot), and with q the lines of those consoles that contain q (case-insensitive), each with its boot and the time its chunk arrived. The live console is the WebSocket GET /hosts/{id}/console (Upgrade: websocket)", role: 'viewer', query: hostConsolesQuery },
  { method: 'get', path: '/boots/{id}/console', summary: "One boot's recorded serial console as text/plain (ANSI sequences removed; the oldest output dropped past FLEETBOOT_CONSOLE_RECORD_MAX_CHARS); download=1 answers it as a file", role: 'viewer', query: bootConsoleQuery },
  { method: 'get', path: '/hosts/{id}/doctor', summary: "The boot doctor for one host, before it powers on: each check (MAC, network and address as DHCP decides them, boot server, image against its root mode, cmdline, firmware) with its status, detail and what to try; canBoot and the first failing cause; per firmware (BIOS, UEFI PXE, UEFI HTTP) the boot file DHCP gives, the chain after it and the pxelinux/iPXE/GRUB text bootd serves, verbatim; the relay path of a relayed network. Computed by the functions bootd answers with", role: 'viewer' },
  { method: 'get', path: '/doctor', summary: "The boot doctor for the fleet: how many hosts can't boot, grouped by cause (most first), each group with its hosts", role: 'viewer' },
  { method: 'get', path: '/discovered', summary: 'Unknown machines that booted into discovery, with their hardware facts', role: 'viewer', query: discoveredListQuery },
  { method: 'post', path: '/discovered/{mac}/claim', summary: 'Claim a discovered machine into a registered host (hostId) or a new host (newHost): the host gets its MAC and the machine then boots its role', role: 'operator', body: claimInput },
  { method: 'get', path: '/events', summary: 'Boot events, newest first', role: 'viewer', query: eventListQuery },
  { method: 'get', path: '/events/stream', summary: 'Live boot events as Server-Sent Events (text/event-stream); resume with Last-Event-ID or after=<seq>', role: 'viewer', query: eventStreamQuery },
  { method: 'get', path: '/audit', summary: 'Audit log, newest first', role: 'viewer', query: auditListQuery },
  { method: 'get', path: '/metrics', summary: "Prometheus metrics (text exposition format): bootd's counters and the web process's live-stream gauges", role: 'viewer' },
  { method: 'get', path: '/users', summary: 'List users', role: 'admin' },
  { method: 'post', path: '/users', summary: 'Create a user', role: 'admin', body: userCreate, created: true },
  { method: 'patch', path: '/users/{id}', summary: "Change a user's role, password or disabled flag; a new password or a disable ends the user's sessions and revokes their tokens", role: 'admin', body: userUpdate },
  { method: 'post', path: '/auth/password', summary: 'Change your own password (any role, the current password required, throttled like sign-in): all your sessions and tokens end; this browser gets a new session', role: 'viewer', body: passwordChange },
  { method: 'get', path: '/settings', summary: "API tokens' default and longest lifetime (days)", role: 'viewer' },
  { method: 'patch', path: '/settings', summary: "Change API tokens' default and longest lifetime (days)", role: 'admin', body: consoleSettingsUpdate },
  { method: 'get', path: '/sign-in-throttles', summary: 'User names and client addresses with failed sign-ins: their failures, the next allowed attempt, a lock', role: 'admin' },
  { method: 'delete', path: '/sign-in-throttles/{id}', summary: 'Lift a sign-in delay or lock (the key starts over)', role: 'admin' },
  { method: 'get', path: '/tokens', summary: 'List API tokens', role: 'viewer' },
  { method: 'post', path: '/tokens', summary: "Create an API token (the secret is in this response only). It expires after expiresInDays (at most the admins' maximum; omitted: their default), and a token made by a token never outlives it", role: 'viewer', body: tokenCreate, created: true },
  { method: 'delete', path: '/tokens/{id}', summary: 'Revoke an API token', role: 'viewer' },
  { method: 'get', path: '/boot-servers', summary: 'Boot servers (named bootd) with their last heartbeat and health: healthy, lagging or gone, each with its reasons', role: 'viewer' },
  { method: 'post', path: '/boot-servers', summary: 'Make a boot server: its credential (for FLEETBOOT_BOOTD_CREDENTIAL) is in this response only', role: 'admin', body: bootServerCreate, created: true },
  { method: 'get', path: '/boot-servers/{id}', summary: 'A boot server with its health', role: 'viewer' },
  { method: 'delete', path: '/boot-servers/{id}', summary: "Revoke a boot server's credential (the console refuses it at once)", role: 'admin' },
  { method: 'get', path: '/artifacts/{sha256}', summary: "An artifact's bytes by its sha256, for a boot server pulling it into its cache: Authorization: Bearer <the boot server's credential> (users' sessions and tokens get 401); one Range (with If-Range: the ETag, which is the sha256 quoted) resumes a cut pull (206)", role: 'boot-server' },
];

const errorSchema = {
  type: 'object',
  required: ['error', 'code'],
  properties: { error: { type: 'string' }, code: { type: 'string' }, field: { type: 'string', description: 'the input field at fault' } },
};

function schemaOf(s: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const { $schema: _s, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const parameters: unknown[] = [];
    if (op.path.includes('{id}')) parameters.push({ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } });
    if (op.path.includes('{kind}')) parameters.push({ name: 'kind', in: 'path', required: true, schema: { type: 'string', enum: ['kernel', 'initrd', 'rootfs'] } });
    if (op.path.includes('{mac}')) parameters.push({ name: 'mac', in: 'path', required: true, schema: { type: 'string', pattern: macSpellingPattern } });
    if (op.path.includes('{sha256}')) parameters.push({ name: 'sha256', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } });
    if (op.query) {
      const js = schemaOf(op.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(js.properties ?? {})) parameters.push({ name, in: 'query', required: js.required?.includes(name) ?? false, schema });
    }
    for (const h of op.headers ?? []) parameters.push({ name: h.name, in: 'header', required: h.required, description: h.description, schema: h.schema });
    const responses: Record<string, unknown> = {
      [op.created ? '201' : op.method === 'delete' ? '204' : '200']: { description: 'success' },
      '400': { description: 'invalid input; `field` names it', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    };
    if (op.role !== 'public') {
      responses['401'] = { description: 'no session or token', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
      if (op.role !== 'boot-server') responses['403'] = { description: `needs the ${op.role} role`, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    if (op.path.includes('{id}') || op.path.includes('{mac}') || op.path.includes('{sha256}')) responses['404'] = { description: 'not found' };
    if (op.method === 'post' || op.method === 'patch') responses['409'] = { description: 'duplicate (MAC, hostname, IP) or an address outside its network' };
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      ...(op.role === 'public' ? { security: [] } : { 'x-fleetboot-role': op.role }),
      ...(parameters.length ? { parameters } : {}),
      ...(op.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(op.body) } } } }
        : op.bodyType
          ? { requestBody: { required: op.bodyType !== 'application/offset+octet-stream', content: rawBody(op.bodyType) } }
          : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Fleetboot API', version: '1', description: 'Network-boot a fleet: networks, roles, images, hosts, boot events, audit.' },
    servers: [{ url: '/api/v1' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API token (fbt_…) made on the Tokens page' }, session: { type: 'apiKey', in: 'cookie', name: 'fleetboot_session' } },
      schemas: { Error: errorSchema },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}

export async function openApiRoute(): Promise<Response> {
  return json(openApiDocument());
}
