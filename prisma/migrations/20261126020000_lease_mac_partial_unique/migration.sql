-- A declined address keeps the MAC that declined it (RFC 2131 §4.3.3 quarantine), while that
-- MAC takes a new lease elsewhere in the same network. UNIQUE(networkId, mac) forbade that, so
-- declined rows used to carry a made-up mac "declined:<ip>:<mac>". Now one MAC has at most one
-- lease per network *outside* quarantine; UNIQUE(networkId, ip) stays the guard between bootd.
-- Prisma can't express a partial index: schema.prisma names this one in an @@index (map:).

-- DropIndex
DROP INDEX "Lease_networkId_mac_key";

-- CreateIndex (partial unique: bootd's upsert names it with ON CONFLICT ("networkId", mac) WHERE state <> 'declined')
CREATE UNIQUE INDEX "Lease_networkId_mac_active_key" ON "Lease"("networkId", "mac") WHERE "state" <> 'declined';

-- Quarantined rows written before this migration get their real MAC back.
UPDATE "Lease" SET "mac" = substr("mac", length('declined:' || "ip" || ':') + 1)
WHERE "state" = 'declined' AND "mac" LIKE 'declined:%';
