-- Image lifecycle (DESIGN.md "Image lifecycle"): the stage-on-a-spare health gate and the
-- batched rollout as persisted state machines, so the web process's lifecycle worker resumes
-- them from here after a restart. Not in the change log: bootd decides nothing from these
-- rows (it follows Host.imageOverrideId and Role.activeImageId, which are).

-- CreateEnum
CREATE TYPE "StageState" AS ENUM ('powering', 'waiting_manual', 'booting', 'checking', 'verified', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "RolloutKind" AS ENUM ('rollout', 'rollback');

-- CreateEnum
CREATE TYPE "RolloutState" AS ENUM ('running', 'paused', 'completed', 'aborted', 'failed');

-- CreateEnum
CREATE TYPE "RolloutHostState" AS ENUM ('pending', 'rebooting', 'waiting_manual', 'up', 'failed');

-- CreateTable
CREATE TABLE "ImageStage" (
    "id" UUID NOT NULL,
    "imageId" UUID NOT NULL,
    "roleId" UUID NOT NULL,
    "hostId" UUID NOT NULL,
    "state" "StageState" NOT NULL DEFAULT 'powering',
    "powerMethod" TEXT NOT NULL DEFAULT 'manual',
    "bootRequestedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deadlineAt" TIMESTAMPTZ(3) NOT NULL,
    "upAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "reason" TEXT,
    "previousOverrideId" UUID,
    "createdBy" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ImageStage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Rollout" (
    "id" UUID NOT NULL,
    "roleId" UUID NOT NULL,
    "imageId" UUID NOT NULL,
    "kind" "RolloutKind" NOT NULL DEFAULT 'rollout',
    "state" "RolloutState" NOT NULL DEFAULT 'running',
    "batchSize" INTEGER NOT NULL,
    "maxConcurrentBoots" INTEGER NOT NULL,
    "pauseSeconds" INTEGER NOT NULL DEFAULT 0,
    "maxFailures" INTEGER NOT NULL DEFAULT 1,
    "hostTimeoutSeconds" INTEGER NOT NULL DEFAULT 900,
    "currentBatch" INTEGER NOT NULL DEFAULT 0,
    "batchCount" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "nextBatchAt" TIMESTAMPTZ(3),
    "reason" TEXT,
    "createdBy" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Rollout_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RolloutHost" (
    "rolloutId" UUID NOT NULL,
    "hostId" UUID NOT NULL,
    "batch" INTEGER NOT NULL,
    "state" "RolloutHostState" NOT NULL DEFAULT 'pending',
    "powerMethod" TEXT,
    "bootRequestedAt" TIMESTAMPTZ(3),
    "upAt" TIMESTAMPTZ(3),
    "reason" TEXT,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "RolloutHost_pkey" PRIMARY KEY ("rolloutId","hostId")
);

-- CreateIndex
CREATE INDEX "ImageStage_imageId_createdAt_idx" ON "ImageStage"("imageId", "createdAt");

-- CreateIndex
CREATE INDEX "ImageStage_state_idx" ON "ImageStage"("state");

-- CreateIndex
CREATE INDEX "Rollout_roleId_createdAt_idx" ON "Rollout"("roleId", "createdAt");

-- CreateIndex
CREATE INDEX "Rollout_state_idx" ON "Rollout"("state");

-- CreateIndex
CREATE INDEX "RolloutHost_hostId_idx" ON "RolloutHost"("hostId");

-- AddForeignKey
ALTER TABLE "ImageStage" ADD CONSTRAINT "ImageStage_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImageStage" ADD CONSTRAINT "ImageStage_roleId_fkey" FOREIGN KEY ("roleId") REFERENCES "Role"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImageStage" ADD CONSTRAINT "ImageStage_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Rollout" ADD CONSTRAINT "Rollout_roleId_fkey" FOREIGN KEY ("roleId") REFERENCES "Role"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Rollout" ADD CONSTRAINT "Rollout_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RolloutHost" ADD CONSTRAINT "RolloutHost_rolloutId_fkey" FOREIGN KEY ("rolloutId") REFERENCES "Rollout"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RolloutHost" ADD CONSTRAINT "RolloutHost_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- At most one live stage per spare and one live rollout per role (Prisma can't express the
-- WHERE of a partial unique index; schema.prisma says so beside the models).
CREATE UNIQUE INDEX "ImageStage_hostId_live_key" ON "ImageStage"("hostId") WHERE "state" IN ('powering', 'waiting_manual', 'booting', 'checking');
CREATE UNIQUE INDEX "Rollout_roleId_live_key" ON "Rollout"("roleId") WHERE "state" IN ('running', 'paused');
