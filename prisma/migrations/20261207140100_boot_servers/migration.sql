-- Boot servers (DESIGN.md "bootd on its own machine"): the registry of named bootd, each with a
-- credential stored as its sha256, what it reports in its heartbeats, and the networks it serves
-- (one, or two splitting unknown clients by the RFC 3074 hash). Heartbeats don't touch the
-- change log: only "Network" (already followed) says who serves what.
-- AlterTable
ALTER TABLE "Network" ADD COLUMN     "bootServerId" UUID,
ADD COLUMN     "peerBootServerId" UUID;

-- CreateTable
CREATE TABLE "BootServer" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "site" TEXT NOT NULL,
    "credentialHash" TEXT NOT NULL,
    "credentialPrefix" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),
    "version" TEXT,
    "addresses" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "statusUrl" TEXT,
    "networksServed" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "startedAt" TIMESTAMPTZ(3),
    "lastHeartbeatAt" TIMESTAMPTZ(3),
    "stoppedAt" TIMESTAMPTZ(3),
    "viewSeq" BIGINT,
    "viewLive" BOOLEAN NOT NULL DEFAULT false,
    "artifactsNeeded" INTEGER NOT NULL DEFAULT 0,
    "artifactsSynced" INTEGER NOT NULL DEFAULT 0,
    "spoolDepth" INTEGER NOT NULL DEFAULT 0,
    "cacheBytes" BIGINT NOT NULL DEFAULT 0,
    "cacheState" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "BootServer_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "BootServer_name_key" ON "BootServer"("name");

-- CreateIndex
CREATE UNIQUE INDEX "BootServer_credentialHash_key" ON "BootServer"("credentialHash");

-- AddForeignKey
ALTER TABLE "Network" ADD CONSTRAINT "Network_bootServerId_fkey" FOREIGN KEY ("bootServerId") REFERENCES "BootServer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Network" ADD CONSTRAINT "Network_peerBootServerId_fkey" FOREIGN KEY ("peerBootServerId") REFERENCES "BootServer"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Names are compared ignoring case, like network and role names (migration 20261126035000).
CREATE UNIQUE INDEX "BootServer_name_lower_key" ON "BootServer"(lower("name"));

-- A network's two boot servers are two different ones.
ALTER TABLE "Network" ADD CONSTRAINT "Network_two_boot_servers_differ" CHECK ("peerBootServerId" IS NULL OR "peerBootServerId" IS DISTINCT FROM "bootServerId");
