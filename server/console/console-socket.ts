// The console's WebSocket: GET /api/v1/hosts/{id}/console with Upgrade: websocket (RFC 6455),
// on the web process's own HTTP server (scripts/web.ts), so it has the pages' origin. The
// handshake is authenticated like the API: the session cookie (then the Origin must be the
// console's, issue 17: a browser sends the cookie on a cross-site WebSocket handshake too, and
// the Origin header is what tells them apart, RFC 6455 §10.2) or a bearer token.
// Frames: binary server → browser are console output, browser → server keystrokes; text
// frames are JSON messages (status, notice; take, release).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Actor } from '../auth/actor.ts';
import { actorFromRequest, sessionCookieName } from '../auth/sessions.ts';
import { db } from '../db/client.ts';
import { DomainError, conflict, errorCodes, notFound } from '../errors.ts';
import { hasBmc } from '../power/host-power.ts';
import { requireSameOrigin } from '../auth/same-origin.ts';
import { ConsoleLimitError, type ConsoleNotice, type ConsoleStatus, type ConsoleViewer, type HostConsoles } from './host-consoles.ts';

const consolePath = /^\/api\/v1\/hosts\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/console$/i;
const maxKeystrokeFrameBytes = 16 * 1024;
const pingIntervalMs = 30_000;

/** WebSocket close codes (RFC 6455 §7.4.1; 4000-4999 are the application's own). */
const CloseCode = { tryAgainLater: 1013, consoleLimit: 4029 } as const;

export function consoleHostIdOf(url: string): string | null {
  return consolePath.exec(url.split('?')[0] ?? '')?.[1]?.toLowerCase() ?? null;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function fetchRequestOf(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const name of ['host', 'origin', 'sec-fetch-site', 'x-forwarded-proto', 'authorization']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, { headers });
}

/** Who opens the console: the actor, refused with a DomainError when they may not. */
export async function consoleActorOf(req: IncomingMessage): Promise<Actor> {
  const request = fetchRequestOf(req);
  const actor = await actorFromRequest(request.headers, cookieValue(req.headers.cookie, sessionCookieName));
  if (actor.kind === 'user') requireSameOrigin(request);
  return actor;
}

function refuseHandshake(socket: Duplex, err: unknown): void {
  const status = err instanceof DomainError ? errorCodes[err.code] : 503;
  const message = err instanceof DomainError ? err.message : 'the console is not available right now';
  const body = JSON.stringify({ error: message, code: err instanceof DomainError ? err.code : 'unavailable', field: err instanceof DomainError ? err.field : undefined });
  socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function viewerOf(ws: WebSocket, actor: Actor): ConsoleViewer {
  return {
    actor,
    sendOutput: (bytes) => {
      if (ws.readyState === ws.OPEN) ws.send(bytes, { binary: true });
    },
    sendMessage: (message: ConsoleStatus | ConsoleNotice) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    },
    queuedBytes: () => ws.bufferedAmount,
  };
}

function serve(consoles: HostConsoles, ws: WebSocket, actor: Actor, hostId: string): void {
  const viewer = viewerOf(ws, actor);
  try {
    consoles.attach(hostId, viewer);
  } catch (err) {
    const limit = err instanceof ConsoleLimitError;
    ws.close(limit ? CloseCode.consoleLimit : CloseCode.tryAgainLater, (err as Error).message.slice(0, 120));
    return;
  }
  let alive = true;
  const ping = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, pingIntervalMs);
  ping.unref();
  let toldReadOnly = false;
  ws.on('pong', () => (alive = true));
  ws.on('message', (data, isBinary) => {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (isBinary) {
      if (bytes.length > maxKeystrokeFrameBytes) return;
      if (!consoles.input(hostId, viewer, bytes) && !toldReadOnly) {
        toldReadOnly = true;
        viewer.sendMessage({ type: 'notice', text: consoles.holderOf(hostId) ? `in use by ${consoles.holderOf(hostId)}: what you type is not sent` : 'you are watching: take the keyboard to type' });
      }
      return;
    }
    let message: { type?: unknown };
    try {
      message = JSON.parse(bytes.toString()) as { type?: unknown };
    } catch {
      return;
    }
    if (message.type === 'take') consoles.take(hostId, viewer);
    else if (message.type === 'release') consoles.release(hostId, viewer);
  });
  ws.on('close', () => {
    clearInterval(ping);
    consoles.detach(hostId, viewer);
  });
  ws.on('error', () => undefined);
}

/**
 * The web server's `upgrade` listener: takes the console's path (true), leaves any other
 * (false, the caller ends it). Refusals are plain HTTP answers naming the reason.
 */
export function consoleUpgradeHandler(consoles: HostConsoles): {
  handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<boolean>;
  closeAll: () => void;
} {
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxKeystrokeFrameBytes * 4, perMessageDeflate: false });
  // 1001 Going Away (RFC 6455 §7.4.1): the server is shutting down.
  const closeAll = () => wss.clients.forEach((ws) => ws.close(1001, 'the console server is stopping'));
  const handleUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<boolean> => {
    const hostId = consoleHostIdOf(req.url ?? '');
    if (!hostId) return false;
    socket.on('error', () => undefined);
    let actor: Actor;
    try {
      actor = await consoleActorOf(req);
      const host = await db().host.findUnique({ where: { id: hostId }, select: { hostname: true, bmcAddress: true, bmcUser: true, bmcPasswordEnc: true } });
      if (!host) throw notFound('host');
      if (!hasBmc(host)) throw conflict('bmcAddress', `${host.hostname} has no BMC (address, user and password are all needed): it has no serial console to show`);
    } catch (err) {
      refuseHandshake(socket, err);
      return true;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(consoles, ws, actor, hostId));
    return true;
  };
  return { handleUpgrade, closeAll };
}
