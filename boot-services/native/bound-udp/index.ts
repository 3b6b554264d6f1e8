// Loads the bound-udp addon (bound-udp.c: a UDP socket bound to one interface with
// SO_BINDTODEVICE) and turns its file descriptor into a dgram socket. scripts/setup.sh builds
// it with node-gyp against the running Node's headers; a missing build says how to make it.
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

interface BoundUdpAddon {
  openBoundUdpSocket(device: string, address: string, port: number, receiveBufferBytes: number): number;
}

export const addonPath = fileURLToPath(new URL('./build/Release/bound_udp.node', import.meta.url));

let addon: BoundUdpAddon | null = null;

function loadAddon(): BoundUdpAddon {
  if (addon) return addon;
  if (!existsSync(addonPath)) {
    throw new Error(`the interface-binding addon is not built (${addonPath}): run scripts/setup.sh, or \`npm run build:native\` (needs g++, make, python3)`);
  }
  addon = createRequire(import.meta.url)(addonPath) as BoundUdpAddon;
  return addon;
}

/**
 * A UDP socket that receives only what arrives on `device` and sends through it (broadcasts
 * included), bound to address:port with SO_REUSEADDR so one socket per boot interface can
 * share a port. Throws (no such device, no permission) before any datagram is read.
 */
export function openInterfaceSocket(device: string, address: string, port: number, receiveBufferBytes: number): Promise<dgram.Socket> {
  const fd = loadAddon().openBoundUdpSocket(device, address, port, receiveBufferBytes);
  const socket = dgram.createSocket({ type: 'udp4' });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ fd }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}
