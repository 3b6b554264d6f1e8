-- Issue 15 item 5, IPv6 PXE: networks get an optional IPv6 prefix, DHCPv6 pool and bootd address;
-- hosts an optional reserved IPv6 address; DHCPv6 leases (IA_NA) live in "Lease6". Generated with
-- prisma migrate diff, plus the Host change trigger below.
-- AlterTable
ALTER TABLE "Network" ADD COLUMN     "ipv6BootServer" TEXT,
ADD COLUMN     "ipv6PoolEnd" TEXT,
ADD COLUMN     "ipv6PoolStart" TEXT,
ADD COLUMN     "ipv6Prefix" TEXT;

-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "ipv6" TEXT;

-- CreateTable
CREATE TABLE "Lease6" (
    "id" UUID NOT NULL,
    "networkId" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "duid" TEXT NOT NULL,
    "iaid" BIGINT NOT NULL,
    "mac" TEXT,
    "state" "LeaseState" NOT NULL DEFAULT 'bound',
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Lease6_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Lease6_expiresAt_idx" ON "Lease6"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Lease6_networkId_address_key" ON "Lease6"("networkId", "address");

-- CreateIndex
CREATE UNIQUE INDEX "Lease6_networkId_duid_iaid_key" ON "Lease6"("networkId", "duid", "iaid");

-- CreateIndex
CREATE UNIQUE INDEX "Host_networkId_ipv6_key" ON "Host"("networkId", "ipv6");

-- AddForeignKey
ALTER TABLE "Lease6" ADD CONSTRAINT "Lease6_networkId_fkey" FOREIGN KEY ("networkId") REFERENCES "Network"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- bootd follows Host rows through the change log: a new reserved IPv6 address must reach it too
-- (the trigger of migration 20261126000100_change_log, with "ipv6" added to what it compares).
DROP TRIGGER host_change_update ON "Host";
CREATE TRIGGER host_change_update AFTER UPDATE ON "Host" FOR EACH ROW
  WHEN ((OLD.hostname, OLD.mac, OLD.ip, OLD.ipv6, OLD."networkId", OLD."roleId", OLD.spare, OLD."bootEnabled", OLD."imageOverrideId", OLD."bootOverride")
        IS DISTINCT FROM
        (NEW.hostname, NEW.mac, NEW.ip, NEW.ipv6, NEW."networkId", NEW."roleId", NEW.spare, NEW."bootEnabled", NEW."imageOverrideId", NEW."bootOverride"))
  EXECUTE FUNCTION fleetboot_record_change('id');
