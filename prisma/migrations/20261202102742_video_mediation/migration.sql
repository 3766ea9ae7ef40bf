-- AlterTable
ALTER TABLE "Case" ADD COLUMN "consentDueAt" DATETIME;

-- AlterTable
ALTER TABLE "Party" ADD COLUMN "availability" TEXT;
ALTER TABLE "Party" ADD COLUMN "mediationConsent" TEXT;
ALTER TABLE "Party" ADD COLUMN "mediationConsentAt" DATETIME;
ALTER TABLE "Party" ADD COLUMN "mediationConsentVia" TEXT;
ALTER TABLE "Party" ADD COLUMN "preferLanguage" TEXT;
ALTER TABLE "Party" ADD COLUMN "timeZone" TEXT;

-- CreateTable
CREATE TABLE "StaffHours" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "staffId" TEXT NOT NULL,
    "weekday" INTEGER NOT NULL,
    "startMin" INTEGER NOT NULL,
    "endMin" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "StaffException" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "staffId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "startsAt" DATETIME NOT NULL,
    "endsAt" DATETIME NOT NULL,
    "note" TEXT,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "StaffSkill" (
    "staffId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    PRIMARY KEY ("staffId", "kind", "value")
);

-- CreateTable
CREATE TABLE "SessionType" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "nameZh" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "minutes" INTEGER NOT NULL,
    "bufferMinutes" INTEGER NOT NULL,
    "minNoticeMinutes" INTEGER NOT NULL,
    "dailyCap" INTEGER NOT NULL,
    "maxParticipants" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "MediationSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "sessionTypeId" TEXT NOT NULL,
    "startsAt" DATETIME NOT NULL,
    "endsAt" DATETIME NOT NULL,
    "mode" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "heldByPartyId" TEXT,
    "holdExpiresAt" DATETIME,
    "roomName" TEXT,
    "outcome" TEXT,
    "note" TEXT,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "cancelledAt" DATETIME,
    "doneAt" DATETIME
);

-- CreateTable
CREATE TABLE "StaffBusy" (
    "staffId" TEXT NOT NULL,
    "block" DATETIME NOT NULL,
    "sessionId" TEXT NOT NULL,

    PRIMARY KEY ("staffId", "block")
);

-- CreateTable
CREATE TABLE "StaffDay" (
    "staffId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "booked" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("staffId", "day")
);

-- CreateTable
CREATE TABLE "SessionParticipant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "partyId" TEXT,
    "staffId" TEXT,
    "name" TEXT,
    "confirmedAt" DATETIME,
    "joinedAt" DATETIME,
    "leftAt" DATETIME,
    "attendance" TEXT
);

-- CreateTable
CREATE TABLE "VideoEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "event" TEXT NOT NULL,
    "roomName" TEXT,
    "identity" TEXT,
    "at" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AppSecret" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "StaffHours_staffId_idx" ON "StaffHours"("staffId");

-- CreateIndex
CREATE INDEX "StaffException_staffId_startsAt_idx" ON "StaffException"("staffId", "startsAt");

-- CreateIndex
CREATE INDEX "MediationSession_caseId_idx" ON "MediationSession"("caseId");

-- CreateIndex
CREATE INDEX "MediationSession_staffId_startsAt_idx" ON "MediationSession"("staffId", "startsAt");

-- CreateIndex
CREATE INDEX "MediationSession_state_startsAt_idx" ON "MediationSession"("state", "startsAt");

-- CreateIndex
CREATE INDEX "StaffBusy_sessionId_idx" ON "StaffBusy"("sessionId");

-- CreateIndex
CREATE INDEX "SessionParticipant_sessionId_idx" ON "SessionParticipant"("sessionId");

-- CreateIndex
CREATE INDEX "VideoEvent_roomName_idx" ON "VideoEvent"("roomName");

