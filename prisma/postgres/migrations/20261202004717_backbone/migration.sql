-- AlterTable
ALTER TABLE "CaseEvent" ADD COLUMN     "ord" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "Delivery" (
    "id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "ord" INTEGER NOT NULL DEFAULT 0,
    "state" TEXT NOT NULL,
    "dedupeKey" TEXT,
    "caseId" TEXT,
    "turnId" TEXT,
    "notBefore" TIMESTAMPTZ(3) NOT NULL,
    "expiresAt" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "claimedAt" TIMESTAMPTZ(3),
    "claimedBy" TEXT,
    "channelMessageId" TEXT,
    "error" TEXT,
    "retryable" BOOLEAN,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "sentAt" TIMESTAMPTZ(3),
    "failedAt" TIMESTAMPTZ(3),
    "openedAt" TIMESTAMPTZ(3),
    "acknowledgedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RateWindow" (
    "key" TEXT NOT NULL,
    "windowStart" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "RateWindow_pkey" PRIMARY KEY ("key","windowStart")
);

-- CreateTable
CREATE TABLE "Lease" (
    "name" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Lease_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "WebSession" (
    "id" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "WebSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StaffChannel" (
    "channel" TEXT NOT NULL,
    "channelUserId" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "StaffChannel_pkey" PRIMARY KEY ("channel","channelUserId")
);

-- CreateTable
CREATE TABLE "SlaSetting" (
    "id" TEXT NOT NULL,
    "triageMinutes" INTEGER NOT NULL,
    "acceptMinutes" INTEGER NOT NULL,
    "resolveDaysSimple" INTEGER NOT NULL,
    "resolveDaysGeneral" INTEGER NOT NULL,
    "resolveDaysComplex" INTEGER NOT NULL,
    "resolveDaysDifficult" INTEGER NOT NULL,
    "sameDayCutoffHour" INTEGER NOT NULL,
    "escalationMarginMinutes" INTEGER NOT NULL,
    "opensAt" TEXT NOT NULL,
    "closesAt" TEXT NOT NULL,
    "workdays" TEXT NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SlaSetting_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CalendarDay" (
    "date" TEXT NOT NULL,
    "workday" BOOLEAN NOT NULL,
    "name" TEXT,

    CONSTRAINT "CalendarDay_pkey" PRIMARY KEY ("date")
);

-- CreateIndex
CREATE UNIQUE INDEX "Delivery_dedupeKey_key" ON "Delivery"("dedupeKey");

-- CreateIndex
CREATE INDEX "Delivery_state_channel_notBefore_idx" ON "Delivery"("state", "channel", "notBefore");

-- CreateIndex
CREATE INDEX "Delivery_channel_recipient_createdAt_idx" ON "Delivery"("channel", "recipient", "createdAt");

-- CreateIndex
CREATE INDEX "Delivery_caseId_idx" ON "Delivery"("caseId");

-- CreateIndex
CREATE INDEX "StaffChannel_staffId_idx" ON "StaffChannel"("staffId");

-- Data (hand-written, the same on both databases): the one chat each staff member had becomes their first.
INSERT INTO "StaffChannel" ("channel", "channelUserId", "staffId", "createdAt")
SELECT "channel", "channelUserId", "id", "createdAt" FROM "Staff"
WHERE "channel" IS NOT NULL AND "channelUserId" IS NOT NULL;
