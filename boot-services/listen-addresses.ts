// The UDP services' listen addresses (TFTP and syslog bind one socket to each).
import os from 'node:os';
import type { BootdConfig } from './bootd-context.ts';

/**
 * The addresses to listen on: the boot interfaces' (config.listenAddresses, the default), else
 * the configured one, or every local IPv4 address for 0.0.0.0, and always the boot server's own
 * address: Node lists only interfaces that are up *and* have a carrier, so a boot bridge without
 * a live port when bootd starts would otherwise get no TFTP or syslog (found by the boot lab: a
 * bootd restarted between VMs served TFTP on 127.0.0.1 only).
 */
export function listenAddresses(config: Pick<BootdConfig, 'bindAddress' | 'serverAddress' | 'listenAddresses'>): string[] {
  if (config.listenAddresses && config.listenAddresses.length > 0) return config.listenAddresses;
  const { bindAddress, serverAddress } = config;
  if (bindAddress !== '0.0.0.0') return [bindAddress];
  const addresses = Object.values(os.networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4').map((a) => a!.address);
  if (serverAddress && serverAddress !== '0.0.0.0') addresses.push(serverAddress);
  return [...new Set(addresses)];
}
