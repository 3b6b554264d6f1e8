-- CreateTable
CREATE TABLE "BootConsoleChunk" (
    "id" BIGSERIAL NOT NULL,
    "sessionId" UUID NOT NULL,
    "hostId" UUID,
    "at" TIMESTAMP(3) NOT NULL,
    "text" TEXT NOT NULL,

    CONSTRAINT "BootConsoleChunk_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "BootConsoleChunk_sessionId_id_idx" ON "BootConsoleChunk"("sessionId", "id");

-- CreateIndex
CREATE INDEX "BootConsoleChunk_hostId_at_idx" ON "BootConsoleChunk"("hostId", "at");

-- AddForeignKey
ALTER TABLE "BootConsoleChunk" ADD CONSTRAINT "BootConsoleChunk_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "BootSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

