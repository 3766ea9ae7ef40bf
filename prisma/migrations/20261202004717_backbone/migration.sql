-- CreateTable
CREATE TABLE "Delivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "channel" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "ord" INTEGER NOT NULL DEFAULT 0,
    "state" TEXT NOT NULL,
    "dedupeKey" TEXT,
    "caseId" TEXT,
    "turnId" TEXT,
    "notBefore" DATETIME NOT NULL,
    "expiresAt" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "claimedAt" DATETIME,
    "claimedBy" TEXT,
    "channelMessageId" TEXT,
    "error" TEXT,
    "retryable" BOOLEAN,
    "createdAt" DATETIME NOT NULL,
    "sentAt" DATETIME,
    "failedAt" DATETIME,
    "openedAt" DATETIME,
    "acknowledgedAt" DATETIME
);

-- CreateTable
CREATE TABLE "RateWindow" (
    "key" TEXT NOT NULL,
    "windowStart" DATETIME NOT NULL,
    "count" INTEGER NOT NULL,

    PRIMARY KEY ("key", "windowStart")
);

-- CreateTable
CREATE TABLE "Lease" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "WebSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL,
    "lastSeenAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "StaffChannel" (
    "channel" TEXT NOT NULL,
    "channelUserId" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,

    PRIMARY KEY ("channel", "channelUserId")
);

-- CreateTable
CREATE TABLE "SlaSetting" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "CalendarDay" (
    "date" TEXT NOT NULL PRIMARY KEY,
    "workday" BOOLEAN NOT NULL,
    "name" TEXT
);

-- AlterTable (hand-written: a new column with a default needs no rebuild of CaseEvent)
ALTER TABLE "CaseEvent" ADD COLUMN "ord" INTEGER NOT NULL DEFAULT 0;

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
