// A BMC on loopback for tests: OpenIPMI's ipmi_sim (Debian `openipmi`) with one admin user and
// a chassis_control script that keeps power and boot device in files, logs every call, and can
// run hook commands on power changes (the boot lab starts and stops a QEMU VM with them).
// ipmi_sim is started in its own process group and always stopped, also when a test fails.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dgram from 'node:dgram';

export interface IpmiSimOptions {
  user?: string;
  password?: string;
  /** Shell commands run by the chassis script (in the background) when power goes on / off. */
  onPowerOn?: string;
  onPowerOff?: string;
  initialPower?: 0 | 1;
  /**
   * Serial-over-LAN: the loopback TCP port of the host's serial line (raw bytes). ipmi_sim
   * connects to it at start and every 10 s after a failure, so it must listen before.
   */
  solSerialPort?: number;
}

export interface IpmiSim {
  address: string;
  port: number;
  user: string;
  password: string;
  dir: string;
  /** Calls the chassis script got, e.g. ["0x20 get power", "0x20 set boot pxe"] */
  calls(): string[];
  power(): 0 | 1;
  bootDevice(): string;
  stop(): Promise<void>;
}

export function ipmiSimSkipReason(): string | null {
  for (const tool of ['ipmi_sim', 'ipmitool']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (apt-get install openipmi ipmitool)`;
    }
  }
  return null;
}

async function freeUdpPort(): Promise<number> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  const port = sock.address().port;
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  return port;
}

const chassisScript = (dir: string, o: IpmiSimOptions) => `#!/bin/sh
# ipmi_sim chassis_control: "<this> 0x20 get power boot" | "<this> 0x20 set power 1 boot pxe"
dir='${dir}'
echo "$*" >> "$dir/calls.log"
shift
op=$1; shift
if [ "$op" = get ]; then
  for v in "$@"; do
    case $v in
      power) echo "power:$(cat "$dir/power")" ;;
      boot) echo "boot:$(cat "$dir/boot")" ;;
    esac
  done
  exit 0
fi
while [ $# -ge 2 ]; do
  case $1 in
    power)
      old=$(cat "$dir/power"); echo "$2" > "$dir/power"
      if [ "$2" = 1 ] && [ "$old" != 1 ]; then ${o.onPowerOn ? `(${o.onPowerOn}) >> "$dir/hooks.log" 2>&1 </dev/null &` : ':;'} fi
      if [ "$2" = 0 ] && [ "$old" != 0 ]; then ${o.onPowerOff ? `(${o.onPowerOff}) >> "$dir/hooks.log" 2>&1 </dev/null &` : ':;'} fi
      ;;
    reset) ${o.onPowerOff && o.onPowerOn ? `( (${o.onPowerOff}); (${o.onPowerOn}) ) >> "$dir/hooks.log" 2>&1 </dev/null &` : ':'} ;;
    boot) echo "$2" > "$dir/boot" ;;
  esac
  shift 2
done
exit 0
`;

export async function startIpmiSim(opts: IpmiSimOptions = {}): Promise<IpmiSim> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-ipmisim-'));
  const user = opts.user ?? 'admin';
  const password = opts.password ?? 'bmc-secret-1';
  const port = await freeUdpPort();
  fs.writeFileSync(path.join(dir, 'power'), `${opts.initialPower ?? 0}\n`);
  fs.writeFileSync(path.join(dir, 'boot'), 'default\n');
  fs.writeFileSync(path.join(dir, 'calls.log'), '');
  fs.writeFileSync(path.join(dir, 'chassis.sh'), chassisScript(dir, opts), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'lan.conf'), `name "fleetboot-test"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 ${port}
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abcdef
  endlan
  chassis_control "${dir}/chassis.sh 0x20"
${opts.solSerialPort ? `  sol "tcp:127.0.0.1:${opts.solSerialPort}" 115200\n` : ''}  user 2 true "${user}" "${password}" admin 10 none md2 md5 straight
`);
  // mc_setbmc is required: without it ipmi_sim exits at once ("No bmc_ipmb specified", to syslog only).
  fs.writeFileSync(path.join(dir, 'sim.emu'), 'mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02\nmc_enable 0x20\n');
  const child: ChildProcess = spawn('ipmi_sim', ['-c', 'lan.conf', '-f', 'sim.emu', '-n', '-p'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
      await new Promise((r) => child.once('exit', r));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // Ready when the UDP port is bound (ipmitool would otherwise wait out its retries).
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`ipmi_sim exited: ${output}`);
    }
    const bound = fs.readFileSync('/proc/net/udp', 'utf8').includes(`:${port.toString(16).toUpperCase().padStart(4, '0')} `);
    if (bound) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`ipmi_sim did not bind 127.0.0.1:${port} within 5 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8').trim();
  return {
    address: `127.0.0.1:${port}`,
    port,
    user,
    password,
    dir,
    calls: () => read('calls.log').split('\n').filter(Boolean),
    power: () => (read('power') === '1' ? 1 : 0),
    bootDevice: () => read('boot'),
    stop,
  };
}
