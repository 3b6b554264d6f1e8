-- Console security (issue 17): every API token has an expiry, failed sign-ins are counted per
-- user name and client address across web processes, and admins set tokens' default and
-- maximum lifetime.

-- Every API token expires now. Tokens made without an expiry get 90 days from today (the new
-- default lifetime), so no script stops at once and none lives for ever; a revoked one expires
-- when it was revoked.
UPDATE "ApiToken" SET "expiresAt" = COALESCE("revokedAt", CURRENT_TIMESTAMP + interval '90 days') WHERE "expiresAt" IS NULL;

-- AlterTable
ALTER TABLE "ApiToken" ALTER COLUMN "expiresAt" SET NOT NULL;

-- CreateTable
CREATE TABLE "SignInThrottle" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "lastAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),

    CONSTRAINT "SignInThrottle_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsoleSettings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "tokenDefaultDays" INTEGER NOT NULL DEFAULT 90,
    "tokenMaxDays" INTEGER NOT NULL DEFAULT 365,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConsoleSettings_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ConsoleSettings_one_row" CHECK ("id" = 1)
);

INSERT INTO "ConsoleSettings" ("id", "updatedAt") VALUES (1, CURRENT_TIMESTAMP);

-- CreateIndex
CREATE UNIQUE INDEX "SignInThrottle_kind_value_key" ON "SignInThrottle"("kind", "value");
