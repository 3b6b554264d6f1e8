// A host's serial line for tests: a loopback TCP listener that the BMC (ipmi_sim's `sol
// "tcp:…"`) connects to, as the far end of a serial cable. What the BMC sends (keystrokes
// from a SOL session) is kept; `write` plays the host printing. With `devicePort`, a second
// listener takes a QEMU VM's serial port (`-chardev socket,…,reconnect=1`) and relays both
// ways, so the BMC's end stays connected while the VM is stopped and started (power cycles).
import net from 'node:net';

export interface SerialLine {
  /** the port ipmi_sim's `sol "tcp:127.0.0.1:<port>"` connects to */
  bmcPort: number;
  /** the port a VM's serial chardev connects to (when asked for) */
  devicePort?: number;
  /** everything the BMC sent towards the host */
  received(): string;
  /** bytes as if the host printed them */
  write(text: string | Buffer): void;
  /** resolves once the BMC is connected */
  bmcConnected(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

export async function startSerialLine(opts: { devicePort?: boolean } = {}): Promise<SerialLine> {
  let bmc: net.Socket | null = null;
  let device: net.Socket | null = null;
  let received = Buffer.alloc(0);
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const bmcServer = net.createServer((s) => {
    track(s);
    bmc?.destroy();
    bmc = s;
    s.on('data', (b: Buffer) => {
      received = Buffer.concat([received, b]);
      device?.write(b);
    });
  });
  const deviceServer = opts.devicePort
    ? net.createServer((s) => {
        track(s);
        device?.destroy();
        device = s;
        s.on('data', (b: Buffer) => bmc?.write(b));
      })
    : null;
  const bmcPort = await listen(bmcServer);
  const devicePort = deviceServer ? await listen(deviceServer) : undefined;
  return {
    bmcPort,
    devicePort,
    received: () => received.toString('latin1'),
    write: (text) => bmc?.write(text),
    async bmcConnected(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!bmc && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (!bmc) throw new Error(`the BMC did not connect to the serial line within ${timeoutMs} ms`);
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await Promise.all([bmcServer, deviceServer].filter((s): s is net.Server => s !== null).map((s) => new Promise((r) => s.close(r))));
    },
  };
}
