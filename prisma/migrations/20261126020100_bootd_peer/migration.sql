-- bootd heartbeats (DESIGN.md "Growing past one machine"): two bootd on one boot network split
-- unknown MACs by the RFC 3074 hash and learn that the other is gone when its lastHeartbeatAt
-- stops moving. Written and compared with the database's clock only. Not in the change log:
-- no view depends on it.

-- CreateTable
CREATE TABLE "BootdPeer" (
    "id" TEXT NOT NULL,
    "serverAddress" TEXT NOT NULL,
    "networkId" UUID,
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastHeartbeatAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stoppedAt" TIMESTAMPTZ(3),

    CONSTRAINT "BootdPeer_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "BootdPeer_networkId_idx" ON "BootdPeer"("networkId");
