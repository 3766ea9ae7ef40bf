-- CreateTable
CREATE TABLE "DependencyOutage" (
    "name" TEXT NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,
    "alertedAt" TIMESTAMPTZ(3) NOT NULL,
    "recoveredAt" TIMESTAMPTZ(3),

    CONSTRAINT "DependencyOutage_pkey" PRIMARY KEY ("name")
);

