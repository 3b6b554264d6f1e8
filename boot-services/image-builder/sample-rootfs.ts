// The sample image's root filesystem: Debian's static BusyBox with its applets, an inittab that
// serves one tiny web page (busybox httpd on port 80), BusyBox syslogd forwarding the system's
// log to bootd (the target the agent left in /.fleetboot/agent.env), and a health check the
// agent's "up" hook runs before it reports up. Built as a directory (the nfs and disk tests
// export or copy it) and as the rootfs tarball the ram mode downloads.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { staticBusyboxPath } from './build-initramfs.ts';

const files: Record<string, { text: string; mode: number }> = {
  'etc/inittab': {
    mode: 0o644,
    text: `# Fleetboot sample image (BusyBox init)
::sysinit:/etc/init.d/rcS
::respawn:/usr/sbin/httpd -f -p 80 -h /srv/www
ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/umount -a -r
`,
  },
  'etc/init.d/rcS': {
    mode: 0o755,
    text: `#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /run
name=$(sed -n 's/^HOSTNAME=//p' /.fleetboot/agent.env 2>/dev/null)
hostname "\${name:-fleetboot-sample}"
# This system's log goes where the agent's went: bootd's syslog (address:port in agent.env).
target=$(sed -n 's/^SYSLOG=//p' /.fleetboot/agent.env 2>/dev/null)
if [ -n "$target" ]; then
	syslogd -R "$target"
	# syslogd makes /dev/log after it forks: wait (1 s at most) so the lines below reach it.
	n=0
	while [ ! -S /dev/log ] && [ $n -lt 20 ]; do usleep 50000; n=$((n + 1)); done
fi
mkdir -p /srv/www
echo "fleetboot sample: $(hostname) up since $(date -u)" > /srv/www/index.html
echo "fleetboot sample image: $(hostname) ready"
logger -t rcS -p daemon.info "fleetboot sample image: $(hostname) ready, serving /srv/www on port 80"
`,
  },
  // The agent's up hook runs this (if present and executable) until it passes, then reports up.
  'etc/fleetboot/health': { mode: 0o755, text: '#!/bin/sh\nwget -q -O - http://127.0.0.1/ | grep -q "fleetboot sample"\n' },
  'etc/passwd': { mode: 0o644, text: 'root:x:0:0:root:/root:/bin/sh\n' },
  'etc/group': { mode: 0o644, text: 'root:x:0:\n' },
  'etc/shadow': { mode: 0o600, text: 'root::1::::::\n' },
};

/** Writes the tree into `dir` (created empty). */
export function buildSampleRootfsTree(dir: string, busyboxPath = staticBusyboxPath): void {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc/init.d', 'etc/fleetboot', 'proc', 'sys', 'dev', 'run', 'tmp', 'root', 'srv/www', 'var/log']) {
    fs.mkdirSync(path.join(dir, d), { recursive: true });
  }
  fs.chmodSync(path.join(dir, 'tmp'), 0o1777);
  fs.copyFileSync(busyboxPath, path.join(dir, 'bin/busybox'));
  fs.chmodSync(path.join(dir, 'bin/busybox'), 0o755);
  // Every applet at its usual place (/bin/sh, /sbin/init, /usr/sbin/httpd, ...).
  const applets = execFileSync(busyboxPath, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of applets) {
    if (applet === 'bin/busybox') continue;
    const link = path.join(dir, applet);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    if (!fs.existsSync(link)) fs.symlinkSync(path.relative(path.dirname(link), path.join(dir, 'bin/busybox')), link);
  }
  for (const [rel, f] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, rel), f.text, { mode: f.mode });
    fs.chmodSync(path.join(dir, rel), f.mode);
  }
}

/** tar.gz of a tree, owned by root whatever built it. */
export function tarGzTree(dir: string, out: string): void {
  execFileSync('tar', ['-C', dir, '--owner=0', '--group=0', '--numeric-owner', '--sort=name', '--mtime=@0', '-czf', out, '.'], { stdio: ['ignore', 'ignore', 'pipe'] });
}
