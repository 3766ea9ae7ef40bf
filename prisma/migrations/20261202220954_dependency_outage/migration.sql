-- CreateTable
CREATE TABLE "DependencyOutage" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "since" DATETIME NOT NULL,
    "alertedAt" DATETIME NOT NULL,
    "recoveredAt" DATETIME
);

