-- AlterTable
ALTER TABLE "Artifact" ADD COLUMN     "compression" TEXT,
ADD COLUMN     "unpackedBytes" BIGINT;
