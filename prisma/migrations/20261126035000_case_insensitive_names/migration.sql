-- Role and network names are what operators type and scripts filter by; "DB" and "db" side by
-- side would be two roles nobody can tell apart in a kernel command line (fleetboot.role=) or
-- a log line. The names keep the case they were given; uniqueness ignores it.
-- Prisma can't express an expression index: the plain @unique on name stays for findUnique.

-- CreateIndex
CREATE UNIQUE INDEX "Role_name_lower_key" ON "Role"(lower("name"));

-- CreateIndex
CREATE UNIQUE INDEX "Network_name_lower_key" ON "Network"(lower("name"));
