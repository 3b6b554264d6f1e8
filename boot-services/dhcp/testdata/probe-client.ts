// A scriptable DHCP client for integration tests, run inside a lab namespace with
// `ip netns exec <ns> node --import tsx probe-client.ts <json>`. It sends exactly the packets
// given (base64) and prints every reply it hears as a JSON line; or, in fuzz mode, sends a
// bounded number of random and mutated packets. Bounded in count and in time, always.
import dgram from 'node:dgram';
import { readPcapUdp } from './pcap.ts';

interface ExchangeOrder {
  mode: 'exchange';
  to: string;
  port: number;
  listenPort: number;
  packets: string[];
  listenMs: number;
}

interface FuzzOrder {
  mode: 'fuzz';
  to: string;
  port: number;
  count: number;
  seed: number;
  /** pcap files whose packets are mutated. */
  fixtures: string[];
  maxSeconds: number;
}

const order = JSON.parse(process.argv[2] ?? '{}') as ExchangeOrder | FuzzOrder;

function socketOn(port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    s.once('error', reject);
    s.bind(port, '0.0.0.0', () => { s.setBroadcast(true); resolve(s); });
  });
}

async function exchange(o: ExchangeOrder): Promise<void> {
  const s = await socketOn(o.listenPort);
  s.on('message', (msg, rinfo) => process.stdout.write(JSON.stringify({ from: rinfo.address, port: rinfo.port, bytes: msg.toString('base64') }) + '\n'));
  for (const p of o.packets) {
    await new Promise<void>((resolve, reject) => s.send(Buffer.from(p, 'base64'), o.port, o.to, (err) => (err ? reject(err) : resolve())));
  }
  await new Promise((r) => setTimeout(r, Math.min(o.listenMs, 30_000)));
  s.close();
}

async function fuzz(o: FuzzOrder): Promise<void> {
  let seed = o.seed >>> 0 || 1;
  const rand = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed; };
  const bases = o.fixtures.flatMap((f) => readPcapUdp(f).map((d) => d.payload));
  const s = await socketOn(0);
  const deadline = Date.now() + o.maxSeconds * 1000;
  let sent = 0;
  let failed = 0;
  const burst = 100;
  while (sent < o.count && Date.now() < deadline) {
    const batch: Promise<void>[] = [];
    for (let i = 0; i < burst && sent < o.count; i++, sent++) {
      let b: Buffer;
      const kind = rand() % 4;
      if (kind === 0 || bases.length === 0) {
        b = Buffer.alloc(rand() % 600);
        for (let k = 0; k < b.length; k++) b[k] = rand() & 255;
      } else {
        const base = bases[rand() % bases.length]!;
        b = Buffer.from(base.subarray(0, kind === 1 ? rand() % (base.length + 1) : base.length));
        for (let k = 1 + (rand() % 12); k > 0 && b.length > 0; k--) b[rand() % b.length] = rand() & 255;
      }
      batch.push(new Promise((r) => s.send(b, o.port, o.to, (err) => { if (err) failed++; r(); })));
    }
    await Promise.all(batch);
    // Pace: let the server's socket buffer drain between bursts.
    await new Promise((r) => setTimeout(r, 10));
  }
  s.close();
  process.stdout.write(JSON.stringify({ sent, failed }) + '\n');
}

(order.mode === 'fuzz' ? fuzz(order) : exchange(order)).catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
