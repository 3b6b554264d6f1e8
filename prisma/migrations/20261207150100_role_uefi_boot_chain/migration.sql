-- CreateEnum
CREATE TYPE "UefiBootChain" AS ENUM ('ipxe', 'secure_boot');

-- AlterTable
ALTER TABLE "Role" ADD COLUMN     "uefiBootChain" "UefiBootChain" NOT NULL DEFAULT 'ipxe';

