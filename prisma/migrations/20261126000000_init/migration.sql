-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "RootMode" AS ENUM ('ram', 'nfs', 'disk');

-- CreateEnum
CREATE TYPE "BootLoader" AS ENUM ('pxelinux', 'ipxe');

-- CreateEnum
CREATE TYPE "ImageStatus" AS ENUM ('uploading', 'ready', 'trial', 'verified', 'active', 'retired', 'failed');

-- CreateEnum
CREATE TYPE "HostState" AS ENUM ('registered', 'discovered', 'booting', 'up', 'failed', 'stalled', 'offline');

-- CreateEnum
CREATE TYPE "BootOverride" AS ENUM ('rescue', 'memtest', 'localdisk', 'image');

-- CreateEnum
CREATE TYPE "LeaseState" AS ENUM ('offered', 'bound', 'released', 'declined', 'expired');

-- CreateEnum
CREATE TYPE "UserRole" AS ENUM ('admin', 'operator', 'viewer');

-- CreateTable
CREATE TABLE "Network" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "cidr" TEXT NOT NULL,
    "gateway" TEXT,
    "dnsServers" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "domain" TEXT,
    "bootServer" TEXT,
    "poolStart" TEXT,
    "poolEnd" TEXT,
    "leaseSeconds" INTEGER NOT NULL DEFAULT 3600,
    "relayAddresses" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "discoveryEnabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Network_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Role" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "rootMode" "RootMode" NOT NULL DEFAULT 'ram',
    "bootLoader" "BootLoader" NOT NULL DEFAULT 'pxelinux',
    "cmdlineTemplate" TEXT NOT NULL DEFAULT 'console=ttyS0 fleetboot.host={hostname} fleetboot.role={role} fleetboot.root={rootMode}',
    "nfsExport" TEXT,
    "diskRoot" TEXT,
    "healthCheck" TEXT,
    "activeImageId" UUID,
    "previousImageId" UUID,
    "rolloutBatchSize" INTEGER NOT NULL DEFAULT 5,
    "rolloutMaxConcurrent" INTEGER NOT NULL DEFAULT 10,
    "stallSeconds" INTEGER NOT NULL DEFAULT 300,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Role_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Artifact" (
    "sha256" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "path" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Artifact_pkey" PRIMARY KEY ("sha256")
);

-- CreateTable
CREATE TABLE "Image" (
    "id" UUID NOT NULL,
    "roleId" UUID NOT NULL,
    "version" TEXT NOT NULL,
    "status" "ImageStatus" NOT NULL DEFAULT 'uploading',
    "kernelSha256" TEXT,
    "initrdSha256" TEXT,
    "rootfsSha256" TEXT,
    "notes" TEXT NOT NULL DEFAULT '',
    "createdBy" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Image_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Host" (
    "id" UUID NOT NULL,
    "hostname" TEXT NOT NULL,
    "mac" TEXT,
    "ip" TEXT,
    "networkId" UUID,
    "roleId" UUID,
    "bmcAddress" TEXT,
    "bmcUser" TEXT,
    "bmcPasswordEnc" TEXT,
    "serial" TEXT,
    "assetTag" TEXT,
    "spare" BOOLEAN NOT NULL DEFAULT false,
    "bootEnabled" BOOLEAN NOT NULL DEFAULT true,
    "imageOverrideId" UUID,
    "bootOverride" "BootOverride",
    "state" "HostState" NOT NULL DEFAULT 'registered',
    "statePhase" TEXT,
    "lastSeenAt" TIMESTAMP(3),
    "notes" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Host_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DiscoveredMachine" (
    "mac" TEXT NOT NULL,
    "networkId" UUID,
    "ip" TEXT,
    "facts" JSONB NOT NULL DEFAULT '{}',
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimedById" UUID,

    CONSTRAINT "DiscoveredMachine_pkey" PRIMARY KEY ("mac")
);

-- CreateTable
CREATE TABLE "BootSession" (
    "id" UUID NOT NULL,
    "hostId" UUID,
    "mac" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMP(3),
    "phase" TEXT NOT NULL DEFAULT 'dhcp',
    "outcome" TEXT,

    CONSTRAINT "BootSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BootEvent" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "hostId" UUID,
    "mac" TEXT,
    "sessionId" UUID,
    "source" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "bytesDone" BIGINT,
    "bytesTotal" BIGINT,

    CONSTRAINT "BootEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Lease" (
    "id" UUID NOT NULL,
    "networkId" UUID NOT NULL,
    "ip" TEXT NOT NULL,
    "mac" TEXT NOT NULL,
    "state" "LeaseState" NOT NULL DEFAULT 'offered',
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "clientId" TEXT,
    "hostname" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Lease_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" "UserRole" NOT NULL DEFAULT 'viewer',
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UserSession" (
    "tokenHash" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "UserSession_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "role" "UserRole" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "userId" UUID,
    "tokenId" UUID,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entityId" TEXT,
    "before" JSONB,
    "after" JSONB,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Change" (
    "seq" BIGSERIAL NOT NULL,
    "entity" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Change_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "Network_name_key" ON "Network"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Role_name_key" ON "Role"("name");

-- CreateIndex
CREATE INDEX "Image_status_idx" ON "Image"("status");

-- CreateIndex
CREATE UNIQUE INDEX "Image_roleId_version_key" ON "Image"("roleId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "Host_hostname_key" ON "Host"("hostname");

-- CreateIndex
CREATE UNIQUE INDEX "Host_mac_key" ON "Host"("mac");

-- CreateIndex
CREATE INDEX "Host_roleId_hostname_idx" ON "Host"("roleId", "hostname");

-- CreateIndex
CREATE INDEX "Host_state_hostname_idx" ON "Host"("state", "hostname");

-- CreateIndex
CREATE INDEX "Host_networkId_hostname_idx" ON "Host"("networkId", "hostname");

-- CreateIndex
CREATE INDEX "Host_serial_idx" ON "Host"("serial");

-- CreateIndex
CREATE UNIQUE INDEX "Host_networkId_ip_key" ON "Host"("networkId", "ip");

-- CreateIndex
CREATE INDEX "DiscoveredMachine_lastSeenAt_idx" ON "DiscoveredMachine"("lastSeenAt");

-- CreateIndex
CREATE INDEX "BootSession_hostId_startedAt_idx" ON "BootSession"("hostId", "startedAt");

-- CreateIndex
CREATE INDEX "BootSession_mac_startedAt_idx" ON "BootSession"("mac", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "BootEvent_seq_key" ON "BootEvent"("seq");

-- CreateIndex
CREATE INDEX "BootEvent_hostId_at_idx" ON "BootEvent"("hostId", "at");

-- CreateIndex
CREATE INDEX "BootEvent_mac_at_idx" ON "BootEvent"("mac", "at");

-- CreateIndex
CREATE INDEX "BootEvent_at_idx" ON "BootEvent"("at");

-- CreateIndex
CREATE INDEX "Lease_expiresAt_idx" ON "Lease"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Lease_networkId_ip_key" ON "Lease"("networkId", "ip");

-- CreateIndex
CREATE UNIQUE INDEX "Lease_networkId_mac_key" ON "Lease"("networkId", "mac");

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- CreateIndex
CREATE INDEX "UserSession_expiresAt_idx" ON "UserSession"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "AuditLog_at_idx" ON "AuditLog"("at");

-- CreateIndex
CREATE INDEX "AuditLog_entity_entityId_idx" ON "AuditLog"("entity", "entityId");

-- AddForeignKey
ALTER TABLE "Role" ADD CONSTRAINT "Role_activeImageId_fkey" FOREIGN KEY ("activeImageId") REFERENCES "Image"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Role" ADD CONSTRAINT "Role_previousImageId_fkey" FOREIGN KEY ("previousImageId") REFERENCES "Image"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Image" ADD CONSTRAINT "Image_roleId_fkey" FOREIGN KEY ("roleId") REFERENCES "Role"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Image" ADD CONSTRAINT "Image_kernelSha256_fkey" FOREIGN KEY ("kernelSha256") REFERENCES "Artifact"("sha256") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Image" ADD CONSTRAINT "Image_initrdSha256_fkey" FOREIGN KEY ("initrdSha256") REFERENCES "Artifact"("sha256") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Image" ADD CONSTRAINT "Image_rootfsSha256_fkey" FOREIGN KEY ("rootfsSha256") REFERENCES "Artifact"("sha256") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Host" ADD CONSTRAINT "Host_networkId_fkey" FOREIGN KEY ("networkId") REFERENCES "Network"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Host" ADD CONSTRAINT "Host_roleId_fkey" FOREIGN KEY ("roleId") REFERENCES "Role"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Host" ADD CONSTRAINT "Host_imageOverrideId_fkey" FOREIGN KEY ("imageOverrideId") REFERENCES "Image"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DiscoveredMachine" ADD CONSTRAINT "DiscoveredMachine_networkId_fkey" FOREIGN KEY ("networkId") REFERENCES "Network"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BootSession" ADD CONSTRAINT "BootSession_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BootEvent" ADD CONSTRAINT "BootEvent_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BootEvent" ADD CONSTRAINT "BootEvent_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "BootSession"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Lease" ADD CONSTRAINT "Lease_networkId_fkey" FOREIGN KEY ("networkId") REFERENCES "Network"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UserSession" ADD CONSTRAINT "UserSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

