// A host's serial console through the real web process's WebSocket, over real IPMI
// Serial-over-LAN: OpenIPMI's ipmi_sim (lanplus, cipher suite 3) connected to a loopback
// serial line, Debian's ipmitool as the SOL client. What the host prints reaches every viewer;
// what the keyboard's holder types reaches the host; viewers and a second operator can't type;
// an admin takes over; the handshake refuses other origins and strangers; every start,
// takeover and end is in the audit log; the BMC's payload is free again once nobody watches.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { createHost } from '../../api/integration/fixtures.ts';
import { ipmiSimSkipReason, startIpmiSim, type IpmiSim } from '../../power/testing/ipmi-sim-lab.ts';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { openSolLink } from '../sol-link.ts';
import { startSerialLine, type SerialLine } from '../testing/serial-line.ts';

const skip = ipmiSimSkipReason();
if (skip) console.log(`# skipped: ${skip}`);

interface Status { type: 'status'; state: string; holder: string | null; typing: boolean; canTake: boolean; viewers: number }

/** One WebSocket client: what it received as console bytes and as messages. */
class ConsoleClient {
  output = '';
  messages: Array<Status | { type: 'notice'; text: string }> = [];
  closed: { code: number; reason: string } | null = null;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.output += (data as Buffer).toString('latin1');
      else this.messages.push(JSON.parse(String(data)));
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }
  status(): Status | undefined {
    return this.messages.filter((m): m is Status => m.type === 'status').at(-1);
  }
  notices(): string[] {
    return this.messages.flatMap((m) => (m.type === 'notice' ? [m.text] : []));
  }
  async until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages.slice(-3))} / ${JSON.stringify(this.output.slice(-200))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  take() {
    this.ws.send(JSON.stringify({ type: 'take' }));
  }
  type(text: string) {
    this.ws.send(Buffer.from(text), { binary: true });
  }
  close() {
    this.ws.close();
  }
}

describe('serial console over SOL through the web process', { skip: skip ?? false }, () => {
  let app: TestWebApp;
  let sim: IpmiSim;
  let line: SerialLine;
  let hostId: string;
  let wsUrl: string;
  const cookies: Record<string, string> = {};
  const clients: ConsoleClient[] = [];

  async function open(user: string, headers: Record<string, string> = {}): Promise<ConsoleClient> {
    const ws = new WebSocket(wsUrl, { headers: { cookie: cookies[user]!, origin: app.url, ...headers } });
    const client = new ConsoleClient(ws);
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
    return client;
  }

  /** The handshake's HTTP status when it is refused (101 when it is taken). */
  function handshakeStatus(headers: Record<string, string>): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { headers });
      ws.once('open', () => {
        ws.close();
        resolve({ status: 101, body: '' });
      });
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (b: Buffer) => (body += b.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.once('error', reject);
    });
  }

  before(async () => {
    line = await startSerialLine();
    sim = await startIpmiSim({ solSerialPort: line.bmcPort });
    await line.bmcConnected(5_000);
    process.env.FLEETBOOT_CONSOLE_IDLE_MS = '500';
    app = await startTestWebApp('console');
    for (const [name, role] of [['op1', 'operator'], ['op2', 'operator'], ['watcher', 'viewer']] as const) await app.addUser(name, `${name}-password-1`, role);
    cookies.admin = await app.signIn();
    for (const name of ['op1', 'op2', 'watcher']) cookies[name] = await app.signIn(name, `${name}-password-1`);
    const api = apiClient(app.url, { cookie: cookies.admin });
    hostId = (await createHost(api, { bmcAddress: sim.address, bmcUser: sim.user, bmcPassword: sim.password })).id;
    wsUrl = `${app.url.replace('http', 'ws')}/api/v1/hosts/${hostId}/console`;
  });

  after(async () => {
    for (const c of clients) c.ws.terminate();
    await app?.stop();
    await sim?.stop();
    await line?.stop();
  });

  test('the handshake refuses another origin, a stranger, and a host without a BMC', async () => {
    assert.equal((await handshakeStatus({ cookie: cookies.op1!, origin: 'http://evil.example' })).status, 403);
    assert.equal((await handshakeStatus({ cookie: cookies.op1!, origin: app.url.replace('127.0.0.1', 'localhost') })).status, 403, 'another host name is another origin');
    assert.equal((await handshakeStatus({ cookie: cookies.op1! })).status, 403, 'a cookie without Origin');
    assert.equal((await handshakeStatus({ origin: app.url })).status, 401);
    const bare = await createHost(apiClient(app.url, { cookie: cookies.admin }));
    const noBmc = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${app.url.replace('http', 'ws')}/api/v1/hosts/${bare.id}/console`, { headers: { cookie: cookies.op1!, origin: app.url } });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => reject(new Error('opened')));
    });
    assert.equal(noBmc, 409);
  });

  test('the first operator gets the keyboard: the host\'s output arrives, typed keys reach the host', async () => {
    const op1 = await open('op1');
    await op1.until('the SOL session', () => op1.status()?.state === 'open');
    assert.deepEqual({ typing: op1.status()!.typing, holder: op1.status()!.holder }, { typing: true, holder: 'op1' });
    line.write('SeaBIOS (version 1.16.2-debian)\r\n');
    await op1.until('the host\'s line', () => op1.output.includes('SeaBIOS (version 1.16.2-debian)'));
    op1.type('echo typed\r');
    await op1.until('the keys at the host', () => line.received().includes('echo typed\r'));
    // "~." at a line start would end ipmitool's session; it reaches the host as typed.
    op1.type('~.\r');
    await op1.until('a tilde at the host', () => line.received().includes('echo typed\r~.\r'));
    line.write('still here\r\n');
    await op1.until('output after the tilde', () => op1.output.includes('still here'));
  });

  test('a viewer watches and can\'t type; a second operator sees "in use by op1"', async () => {
    const op1 = clients.find((c) => c.status()?.holder === 'op1' && c.status()?.typing)!;
    const watcher = await open('watcher');
    await watcher.until('status', () => watcher.status()?.state === 'open');
    assert.ok(watcher.output.includes('SeaBIOS'), 'a late viewer gets the recent screen');
    assert.deepEqual({ typing: watcher.status()!.typing, canTake: watcher.status()!.canTake, holder: watcher.status()!.holder }, { typing: false, canTake: false, holder: 'op1' });
    watcher.type('rm -rf /\r');
    const op2 = await open('op2');
    await op2.until('status', () => op2.status()?.state === 'open');
    assert.deepEqual({ typing: op2.status()!.typing, canTake: op2.status()!.canTake, holder: op2.status()!.holder }, { typing: false, canTake: false, holder: 'op1' });
    op2.take();
    await op2.until('the refusal', () => op2.notices().some((n) => n.includes('in use by op1')));
    op2.type('reboot\r');
    line.write('both see this\r\n');
    await watcher.until('output', () => watcher.output.includes('both see this'));
    await op2.until('output', () => op2.output.includes('both see this'));
    assert.ok(!line.received().includes('rm -rf') && !line.received().includes('reboot'), `nothing from a watcher reached the host: ${JSON.stringify(line.received())}`);
    assert.ok(op1.status()!.typing);
  });

  test('an admin takes over the keyboard; the operator is told', async () => {
    const op1 = clients.find((c) => c.status()?.holder === 'op1' && c.status()?.typing)!;
    const admin = await open('admin');
    await admin.until('status', () => admin.status()?.state === 'open');
    assert.equal(admin.status()!.canTake, true);
    admin.take();
    await admin.until('the keyboard', () => admin.status()?.typing === true);
    await op1.until('the notice', () => op1.notices().some((n) => n.includes('admin took over')));
    assert.equal(op1.status()!.typing, false);
    op1.type('from op1\r');
    admin.type('from admin\r');
    await admin.until('the admin\'s keys', () => line.received().includes('from admin\r'));
    assert.ok(!line.received().includes('from op1'));
  });

  test('start, takeover and end are audited; with nobody watching the BMC\'s payload is free again', async () => {
    for (const c of clients) c.close();
    await Promise.all(clients.map((c) => c.until('close', () => c.closed !== null)));
    const api = apiClient(app.url, { cookie: cookies.admin });
    const deadline = Date.now() + 10_000;
    let actions: string[] = [];
    while (Date.now() < deadline) {
      const rows = (await api.get(`/audit?entity=host&entityId=${hostId}&limit=50`)).body.items as Array<{ action: string; actor: string }>;
      actions = rows.map((r) => `${r.actor}:${r.action}`);
      if (actions.filter((a) => a.endsWith(':console-end')).length >= 4) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    for (const expected of ['op1:console-start', 'watcher:console-start', 'op2:console-start', 'admin:console-takeover', 'op1:console-end', 'admin:console-end']) {
      assert.ok(actions.includes(expected), `${expected} in ${actions.join(', ')}`);
    }
    // The web process ended its SOL session (idle 500 ms): another SOL client gets the console.
    let reason = '';
    for (let attempt = 0; attempt < 10; attempt++) {
      const link = await openSolLink({ address: sim.address, user: sim.user, password: sim.password });
      reason = await new Promise<string>((resolve) => {
        link.once('open', () => resolve('open'));
        link.once('end', (r, detail) => resolve(`${r}: ${detail}`));
      });
      await link.close();
      if (reason === 'open') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(reason, 'open');
  });
});
