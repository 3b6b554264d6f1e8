-- A boot session's events in time order (host timeline), and an index for the foreign key's
-- ON DELETE SET NULL when old sessions are pruned (without it each deleted session scans "BootEvent").
-- CreateIndex
CREATE INDEX "BootEvent_sessionId_at_idx" ON "BootEvent"("sessionId", "at");
