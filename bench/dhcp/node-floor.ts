// The cheapest DHCP server Node can be, as a floor for bootd in the benchmark (bench.ts server
// "node-floor"): one dgram socket, each DISCOVER/REQUEST answered by rewriting its own bytes into
// an OFFER/ACK (address from the client's MAC, fixed options), sent back to the relay. No
// leases, no database, no events, no checks worth the name: what is left is the kernel and
// Node's UDP path, which bootd pays per packet too. Not a server to use.
//   node --import tsx bench/dhcp/node-floor.ts <server address>
import dgram from 'node:dgram';

const serverAddress = process.argv[2] ?? '10.88.0.1';
const server = serverAddress.split('.').map(Number);
const optionsOffset = 240;
// 53 (type), 54 (server id), 51 (lease 3600 s), 1 (mask /16), 3 (router), 255
const optionBytes = [53, 1, 0, 54, 4, ...server, 51, 4, 0, 0, 0x0e, 0x10, 1, 4, 255, 255, 0, 0, 3, 4, ...server, 255];

const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
socket.on('message', (msg, rinfo) => {
  if (msg.length < optionsOffset + 3 || msg[0] !== 1) return;
  // The message type is the first option perfdhcp sends.
  const type = msg[optionsOffset] === 53 ? msg[optionsOffset + 2] : 0;
  if (type !== 1 && type !== 3) return;
  const reply = Buffer.alloc(300);
  msg.copy(reply, 0, 0, optionsOffset);
  reply[0] = 2;
  // yiaddr 10.88.x.y from the MAC's last two bytes (x in 1..20, as the benchmark's pool).
  reply[16] = 10; reply[17] = 88; reply[18] = 1 + (msg[32]! % 20); reply[19] = msg[33]!;
  reply.set(optionBytes, optionsOffset);
  reply[optionsOffset + 2] = type === 1 ? 2 : 5;
  socket.send(reply, 67, rinfo.address);
});
socket.bind(67, '0.0.0.0', () => {
  socket.setRecvBufferSize(4 * 1024 * 1024);
  console.log('node-floor ready');
});
process.on('SIGTERM', () => socket.close(() => process.exit(0)));
