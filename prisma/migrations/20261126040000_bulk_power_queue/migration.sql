-- The bulk power queue (server/power/bulk-queue.ts): one power action on many hosts, sent by
-- the web processes' worker leader at most N booting at a time (the boot-storm limit), each
-- host's progress kept here so a restart of the web process resumes the queue. Not in the
-- change log: bootd decides nothing from these rows.

-- CreateEnum
CREATE TYPE "BulkPowerState" AS ENUM ('running', 'cancelled', 'completed');

-- CreateEnum
CREATE TYPE "BulkPowerHostState" AS ENUM ('queued', 'sent', 'booting', 'up', 'done', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "BulkPowerAction" (
    "id" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "state" "BulkPowerState" NOT NULL DEFAULT 'running',
    "maxConcurrentBoots" INTEGER NOT NULL,
    "hostTimeoutSeconds" INTEGER NOT NULL DEFAULT 900,
    "createdBy" TEXT NOT NULL DEFAULT '',
    "userId" UUID,
    "tokenId" UUID,
    "reason" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "BulkPowerAction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BulkPowerHost" (
    "bulkActionId" UUID NOT NULL,
    "hostId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "state" "BulkPowerHostState" NOT NULL DEFAULT 'queued',
    "sentAt" TIMESTAMPTZ(3),
    "done" TEXT,
    "finishedAt" TIMESTAMPTZ(3),
    "error" TEXT,
    "errorKind" TEXT,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "BulkPowerHost_pkey" PRIMARY KEY ("bulkActionId","hostId")
);

-- CreateIndex
CREATE INDEX "BulkPowerAction_createdAt_idx" ON "BulkPowerAction"("createdAt");

-- CreateIndex
CREATE INDEX "BulkPowerAction_state_idx" ON "BulkPowerAction"("state");

-- CreateIndex
CREATE INDEX "BulkPowerHost_state_idx" ON "BulkPowerHost"("state");

-- CreateIndex
CREATE INDEX "BulkPowerHost_hostId_idx" ON "BulkPowerHost"("hostId");

-- AddForeignKey
ALTER TABLE "BulkPowerHost" ADD CONSTRAINT "BulkPowerHost_bulkActionId_fkey" FOREIGN KEY ("bulkActionId") REFERENCES "BulkPowerAction"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BulkPowerHost" ADD CONSTRAINT "BulkPowerHost_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

