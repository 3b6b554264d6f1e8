// The reference chain's stand-in for bootd's boot API: a plain Node HTTP server with a fixed
// identity (every machine is a ram host of the sample image), the rootfs from disk, and the
// time each MAC reported up, printed as JSON lines. What any static web server plus a
// webhook would give; it lets the same agent initrd run under dnsmasq.
//   node --import tsx reference-server.ts <port> <rootfs> <sha256>
import fs from 'node:fs';
import http from 'node:http';

const [port, rootfsPath, sha256] = process.argv.slice(2);
const sizeBytes = fs.statSync(rootfsPath!).size;
const base = `http://${process.env.REFERENCE_ADDRESS ?? '10.66.0.1'}:${port}`;

http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', base);
  if (url.pathname === '/boot/v1/identity') {
    const mac = url.searchParams.get('mac') ?? '';
    res.end(`status=known\naction=boot\nhostname=ref-${mac.replace(/:/g, '')}\nrootMode=ram\nrootfsUrl=${base}/rootfs\nrootfsSha256=${sha256}\nrootfsBytes=${sizeBytes}\n`);
  } else if (url.pathname === '/rootfs') {
    res.writeHead(200, { 'Content-Length': sizeBytes });
    fs.createReadStream(rootfsPath!).pipe(res);
  } else if (req.method === 'POST') {
    let body = '';
    req.on('data', (d: Buffer) => { body += d.toString(); });
    req.on('end', () => {
      if (url.pathname === '/boot/v1/up') {
        const mac = (JSON.parse(body) as { mac: string }).mac;
        console.log(JSON.stringify({ event: 'up', mac, atMs: Date.now() }));
      }
      res.end('{}');
    });
  } else {
    res.writeHead(404).end();
  }
}).listen(Number(port), () => console.log(JSON.stringify({ event: 'listening' })));
