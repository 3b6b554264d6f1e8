// The image lifecycle with real PXE-booting VMs: every VM has its own BMC (OpenIPMI's ipmi_sim
// on loopback) whose chassis power starts and stops the VM, so the lifecycle worker powers
// machines exactly as it would real servers (ipmitool lanplus: PXE once, then on or cycle).
//   1. a candidate rootfs staged on the spare: the spare boots it and passes the gate
//   2. a broken candidate (its health check never passes, so it never reports up) fails the
//      gate at the deadline; the role is untouched and the spare gets its image back; the gate
//      panel's API shows the spare's last log lines, its health check failing among them
//   3. promote + rollout of 4 VMs in batches of 2 (never more than 2 booting)
//   4. rollback: the previous image back, rolled out the same way
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tarGzTree } from '../../boot-services/image-builder/sample-rootfs.ts';
import { heavySkipReason, QemuLab, type Vm } from './qemu-lab.ts';
import { labWebSkipReason, startLabWeb, type LabWeb } from './lab-web.ts';
import { ipmiSimSkipReason, startIpmiSim, type IpmiSim } from '../../server/power/testing/ipmi-sim-lab.ts';

const skip = heavySkipReason() ?? ipmiSimSkipReason();
const webSkip = labWebSkipReason();
if (!skip && webSkip) console.log(`# image lifecycle lab: the failed gate's log lines are not checked through the API: ${webSkip}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A VM behind a BMC: the chassis script's power calls (from calls.log) start and stop it. */
class PoweredVm {
  vm: Vm | null = null;
  boots = 0;
  private seen = 0;
  constructor(readonly lab: QemuLab, readonly sim: IpmiSim, readonly name: string, readonly mac: string) {}

  async follow(): Promise<void> {
    const calls = this.sim.calls();
    for (; this.seen < calls.length; this.seen++) {
      const c = calls[this.seen]!;
      if (c === '0x20 set power 0' || c === '0x20 set reset 1') await this.off();
      if (c === '0x20 set power 1' || c === '0x20 set reset 1') this.on();
    }
  }

  private on(): void {
    if (this.vm && this.vm.child.exitCode === null && this.vm.child.signalCode === null) return;
    this.boots += 1;
    this.vm = this.lab.startVm({ name: `${this.name}-${this.boots}`, mac: this.mac, firmware: 'bios' });
  }

  private async off(): Promise<void> {
    if (this.vm) await this.lab.stopVm(this.vm);
    this.vm = null;
  }
}

test('stage → gate on a spare VM, a broken candidate fails, promote + rollout of 4 VMs in batches of 2, rollback', { skip: skip ?? false, timeout: 1_500_000 }, async () => {
  process.env.FLEETBOOT_SECRET_KEY ??= randomBytes(32).toString('base64');
  const lab = await QemuLab.start({ role: { rootMode: 'ram', bootLoader: 'pxelinux' } });
  const sims: IpmiSim[] = [];
  let follower: NodeJS.Timeout | null = null;
  let worker: { stop(): Promise<void> } | null = null;
  try {
    process.env.DATABASE_URL = lab.db.url;
    const { encryptSecret } = await import('../../server/secrets/encryption.ts');
    const { writeArtifactFile } = await import('../../server/images/artifact-store.ts');
    const { createLifecycleWorker } = await import('../../server/lifecycle/worker.ts');
    const { stageImage } = await import('../../server/lifecycle/stage.ts');
    const { promoteImage, rollbackRole } = await import('../../server/lifecycle/rollout.ts');
    const actor = { kind: 'user' as const, userId: '00000000-0000-4000-8000-000000000001', username: 'lab', role: 'operator' as const };
    const roleId = lab.sample.roleId;
    const q = <T = any>(sql: string, values: unknown[] = []) => lab.pool.query(sql, values).then((r) => r.rows as T[]);

    // Candidate images: the sample's kernel and agent initrd with a changed rootfs.
    const tree = path.join(lab.tmp, 'rootfs-tree');
    async function candidate(version: string, change: (dir: string) => void): Promise<string> {
      const dir = path.join(lab.tmp, `tree-${version}`);
      fs.cpSync(tree, dir, { recursive: true, verbatimSymlinks: true });
      change(dir);
      const tarball = path.join(lab.tmp, `${version}.tar.gz`);
      tarGzTree(dir, tarball);
      const stored = await writeArtifactFile(lab.dataDir, fs.createReadStream(tarball));
      await q(`INSERT INTO "Artifact" (sha256, "sizeBytes", path) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [stored.sha256, stored.sizeBytes, stored.path]);
      const [row] = await q<{ id: string }>(`INSERT INTO "Image" (id, "roleId", version, status, "kernelSha256", "initrdSha256", "rootfsSha256", "updatedAt")
        VALUES (gen_random_uuid(), $1, $2, 'ready', $3, $4, $5, now()) RETURNING id`, [roleId, version, lab.sample.kernel.sha256, lab.sample.initrd.sha256, stored.sha256]);
      return row!.id;
    }
    const good = await candidate('v2', (d) => fs.writeFileSync(path.join(d, 'srv/www/version'), 'v2\n'));
    const broken = await candidate('v3-broken', (d) => fs.writeFileSync(path.join(d, 'etc/fleetboot/health'), '#!/bin/sh\nsleep 100000\n', { mode: 0o755 }));

    // A spare and four role hosts, each with its BMC; all powered off to begin with.
    const machines: Array<{ id: string; hostname: string; powered: PoweredVm }> = [];
    for (const [i, hostname] of ['spare01', 'web01', 'web02', 'web03', 'web04'].entries()) {
      const sim = await startIpmiSim({ password: `bmc-${i}` });
      sims.push(sim);
      const mac = `52:54:00:7a:00:${(i + 1).toString(16).padStart(2, '0')}`;
      const id = await lab.addHost({ hostname, mac, ip: `10.66.0.${21 + i}` });
      await q(`UPDATE "Host" SET spare = $2, "bmcAddress" = $3, "bmcUser" = $4, "bmcPasswordEnc" = $5 WHERE id = $1`, [id, i === 0, sim.address, sim.user, encryptSecret(sim.password)]);
      machines.push({ id, hostname, powered: new PoweredVm(lab, sim, hostname, mac) });
    }
    await q(`UPDATE "Role" SET "rolloutBatchSize" = 2, "rolloutMaxConcurrent" = 2 WHERE id = $1`, [roleId]);
    await lab.startBootd();
    const web: LabWeb | null = webSkip ? null : await startLabWeb(lab);
    let following = false;
    follower = setInterval(() => {
      if (following) return;
      following = true;
      void Promise.all(machines.map((m) => m.powered.follow())).finally(() => { following = false; });
    }, 200);
    worker = createLifecycleWorker({ tickMs: 1000, log: (m, err) => console.log(`# worker: ${m} ${String(err)}`) });

    const until = async <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > deadline) {
          const consoles = machines.map((m) => `--- ${m.hostname} ---\n${m.powered.vm?.console().slice(-1500) ?? '(off)'}`).join('\n');
          throw new Error(`timed out waiting for ${what}\n${consoles}\n--- bootd ---\n${lab.bootdLog.slice(-2000)}`);
        }
        await sleep(500);
      }
    };
    const stageState = async (id: string) => (await q(`SELECT state, reason FROM "ImageStage" WHERE id = $1`, [id]))[0];
    const imageStatus = async (id: string) => (await q(`SELECT status FROM "Image" WHERE id = $1`, [id]))[0].status;
    const role = async () => (await q(`SELECT "activeImageId", "previousImageId" FROM "Role" WHERE id = $1`, [roleId]))[0];
    const spare = machines[0]!;
    const boot = lab.accel === 'kvm' ? 60_000 : 240_000;

    // 1. The good candidate on the spare.
    const t1 = Date.now();
    const s1 = await stageImage(actor, good, { timeoutSeconds: boot / 1000 });
    assert.equal(s1.hostId, spare.id);
    const passed = await until('the gate of v2', async () => { const s = await stageState(s1.id); return ['verified', 'failed'].includes(s.state) && s; }, boot + 30_000);
    assert.equal(passed.state, 'verified', passed.reason);
    console.log(`# stage v2 on the spare → verified in ${((Date.now() - t1) / 1000).toFixed(0)} s (${lab.accel}): ${passed.reason}`);
    const fetched = await q(`SELECT 1 FROM "BootEvent" WHERE "hostId" = $1 AND source = 'http' AND type = 'transfer-done' AND detail->>'file' LIKE $2`, [spare.id, `%${good}/rootfs%`]);
    assert.ok(fetched.length > 0, 'the spare fetched the candidate\'s rootfs');
    assert.deepEqual([spare.powered.boots, spare.powered.sim.bootDevice()], [1, 'pxe']);

    // 2. The broken candidate never reports up: the gate fails at its deadline, nothing else changes.
    const before = await role();
    const t2 = Date.now();
    const s2 = await stageImage(actor, broken, { timeoutSeconds: lab.accel === 'kvm' ? 60 : 150 });
    const failed = await until('the gate of the broken image', async () => { const s = await stageState(s2.id); return ['verified', 'failed'].includes(s.state) && s; }, 240_000);
    assert.equal(failed.state, 'failed');
    assert.match(failed.reason, /did not report up/);
    console.log(`# broken candidate → failed in ${((Date.now() - t2) / 1000).toFixed(0)} s: ${failed.reason}`);
    if (web) {
      // What the gate panel shows under the failed gate (its request): why the spare never came up.
      const { status, body } = web.get<{ lines: string[] | null }>(`/hosts/${spare.id}/logs?lines=40`);
      assert.equal(status, 200, JSON.stringify(body));
      const lines = body.lines ?? [];
      const text = lines.join('\n');
      assert.match(text, /fleetboot-up: health check \/etc\/fleetboot\/health failed \(exit 143, attempt \d+ of 30\)/, `the health check's failures are in the spare's last lines:\n${text}`);
      assert.match(text, /fleetboot-agent: switching root/, `with the agent's lines of that boot:\n${text}`);
      console.log(`# the failed gate's last log line: ${lines.at(-1)}`);
    }
    assert.deepEqual([await imageStatus(broken), await role(), (await q(`SELECT "imageOverrideId" FROM "Host" WHERE id = $1`, [spare.id]))[0].imageOverrideId], ['failed', before, good]);
    assert.equal(spare.powered.boots, 2, 'the broken candidate was booted (and no other machine)');
    assert.ok(machines.slice(1).every((m) => m.powered.boots === 0));

    // 3. Promote v2 and roll it out: 4 VMs, batches of 2, at most 2 booting at once.
    const t3 = Date.now();
    const { rollout } = await promoteImage(actor, good, { batchSize: 2, maxConcurrentBoots: 2, pauseSeconds: 0, maxFailures: 1, hostTimeoutSeconds: boot / 1000 });
    let maxBooting = 0;
    const done = await until('the rollout', async () => {
      const hosts = await q(`SELECT state FROM "RolloutHost" WHERE "rolloutId" = $1`, [rollout!.id]);
      maxBooting = Math.max(maxBooting, hosts.filter((h) => h.state === 'rebooting' || h.state === 'waiting_manual').length);
      const r = (await q(`SELECT state, reason FROM "Rollout" WHERE id = $1`, [rollout!.id]))[0];
      return ['completed', 'failed', 'aborted'].includes(r.state) && r;
    }, 2 * boot + 60_000);
    assert.equal(done.state, 'completed', done.reason);
    console.log(`# rollout of 4 VMs in batches of 2 → completed in ${((Date.now() - t3) / 1000).toFixed(0)} s, at most ${maxBooting} booting at once`);
    assert.ok(maxBooting <= 2);
    const byBatch = await q(`SELECT h.hostname, rh.batch, rh."bootRequestedAt", rh."upAt" FROM "RolloutHost" rh JOIN "Host" h ON h.id = rh."hostId" WHERE "rolloutId" = $1 ORDER BY h.hostname`, [rollout!.id]);
    assert.deepEqual(byBatch.map((b) => b.batch), [0, 0, 1, 1]);
    assert.ok(byBatch[2].bootRequestedAt >= byBatch[0].upAt && byBatch[2].bootRequestedAt >= byBatch[1].upAt, 'batch 2 rebooted after batch 1 was up');
    assert.deepEqual(await role(), { activeImageId: good, previousImageId: lab.sample.imageId });

    // 4. Rollback: the sample image again, same batches.
    const t4 = Date.now();
    const back = await rollbackRole(actor, roleId, { batchSize: 2, maxConcurrentBoots: 2, pauseSeconds: 0, maxFailures: 1, hostTimeoutSeconds: boot / 1000 });
    const backDone = await until('the rollback', async () => { const r = (await q(`SELECT state, reason FROM "Rollout" WHERE id = $1`, [back.rollout!.id]))[0]; return ['completed', 'failed', 'aborted'].includes(r.state) && r; }, 2 * boot + 60_000);
    assert.equal(backDone.state, 'completed', backDone.reason);
    console.log(`# rollback of 4 VMs → completed in ${((Date.now() - t4) / 1000).toFixed(0)} s`);
    assert.deepEqual(await role(), { activeImageId: lab.sample.imageId, previousImageId: good });
    for (const m of machines.slice(1)) {
      const last = await q(`SELECT detail->>'file' AS file FROM "BootEvent" WHERE "hostId" = $1 AND source = 'http' AND type = 'transfer-done' AND detail->>'file' LIKE '%/rootfs%' ORDER BY seq DESC LIMIT 1`, [m.id]);
      assert.match(last[0].file, new RegExp(`${lab.sample.imageId}/rootfs`), `${m.hostname} last booted the previous image`);
    }
  } finally {
    if (follower) clearInterval(follower);
    await worker?.stop();
    const { db } = await import('../../server/db/client.ts');
    await db().$disconnect().catch(() => undefined);
    for (const s of sims) await s.stop();
    await lab.dispose();
  }
});
