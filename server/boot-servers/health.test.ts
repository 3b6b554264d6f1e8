import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goneAfterSeconds, judgeBootServer, viewLagSeconds, type BootServerReport } from './health.ts';

const now = Date.parse('2026-12-07T08:00:00Z');
const secondsAgo = (s: number) => new Date(now - s * 1000);
const beating: BootServerReport = {
  revokedAt: null, startedAt: secondsAgo(600), lastHeartbeatAt: secondsAgo(3), stoppedAt: null,
  viewSeq: 100n, viewLive: true, artifactsNeeded: 4, artifactsSynced: 4, spoolDepth: 0,
};
const upToDate = { headSeq: 100n, oldestMissingAt: null };

test('a bootd beating recently, its view current, its artifacts synced and no spool is healthy', () => {
  assert.deepEqual(judgeBootServer(beating, upToDate, now), { state: 'healthy', reasons: [] });
});

test('never registered, silent too long, or stopped cleanly: gone, saying which', () => {
  assert.deepEqual(judgeBootServer({ ...beating, lastHeartbeatAt: null, startedAt: null }, upToDate, now).reasons, ['never registered: start its bootd with FLEETBOOT_BOOTD_NAME and this credential']);
  const silent = judgeBootServer({ ...beating, lastHeartbeatAt: secondsAgo(goneAfterSeconds + 600) }, upToDate, now);
  assert.deepEqual(silent, { state: 'gone', reasons: ['no heartbeat for 11 min'] });
  const stopped = judgeBootServer({ ...beating, lastHeartbeatAt: secondsAgo(20), stoppedAt: secondsAgo(19) }, upToDate, now);
  assert.deepEqual(stopped, { state: 'gone', reasons: ['stopped 19 s ago (clean shutdown)'] });
});

test('a revoked boot server is revoked whatever it reports', () => {
  assert.equal(judgeBootServer({ ...beating, revokedAt: secondsAgo(1) }, upToDate, now).state, 'revoked');
});

test('lagging, with every reason: a view behind by an old change, artifacts missing, events spooled, snapshot only', () => {
  const behind = { headSeq: 130n, oldestMissingAt: secondsAgo(viewLagSeconds + 60) };
  const h = judgeBootServer({ ...beating, viewLive: false, artifactsSynced: 1, spoolDepth: 12 }, behind, now);
  assert.deepEqual(h, {
    state: 'lagging',
    reasons: [
      'serving its snapshot: not following the database',
      'view 30 change(s) behind, the oldest 90 s old',
      '1 of 4 artifacts synced',
      '12 boot event(s) spooled, waiting for the database',
    ],
  });
});

test('changes newer than the lag allowance are not lag: the next heartbeat carries them', () => {
  assert.equal(judgeBootServer(beating, { headSeq: 105n, oldestMissingAt: secondsAgo(viewLagSeconds - 5) }, now).state, 'healthy');
});

test('artifacts missing: the last failed pull says why', () => {
  const lastFailure = { sha256: 'ab'.repeat(32), failure: 'sha256-mismatch', message: 'the bytes pulled hash to 00…, not abab…: not kept', at: '2026-12-07T07:59:00Z' };
  const h = judgeBootServer({ ...beating, artifactsSynced: 3, cacheState: { lastFailure } }, upToDate, now);
  assert.deepEqual(h, { state: 'lagging', reasons: ['3 of 4 artifacts synced; last pull of abababababab… failed: sha256-mismatch (the bytes pulled hash to 00…, not abab…: not kept)'] });
  assert.equal(judgeBootServer({ ...beating, cacheState: { lastFailure } }, upToDate, now).state, 'healthy', 'an old failure since pulled is no reason');
});
