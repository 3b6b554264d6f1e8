// Next.js calls register() once when the web process starts: temp files of uploads cut by a
// crash are removed, expired resumable upload sessions and artifact files no image uses are swept
// (then hourly), and the image lifecycle worker resumes stages and rollouts from the database
// (server/lifecycle/worker.ts).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs' || !process.env.DATABASE_URL) return;
  const { cleanStaleUploadsOnce } = await import('./server/images/upload.ts');
  const { startUploadSessionSweeper } = await import('./server/images/upload-sessions.ts');
  const { startLifecycleWorker } = await import('./server/lifecycle/worker.ts');
  const { startUnusedArtifactSweeper } = await import('./server/images/unused-artifacts.ts');
  await Promise.all([
    cleanStaleUploadsOnce(),
    startUploadSessionSweeper().catch((err) => console.error('cleaning expired upload sessions failed', err)),
  ]);
  startLifecycleWorker();
  startUnusedArtifactSweeper();
}
