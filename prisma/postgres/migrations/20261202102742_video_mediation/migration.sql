-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "consentDueAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Party" ADD COLUMN     "availability" TEXT,
ADD COLUMN     "mediationConsent" TEXT,
ADD COLUMN     "mediationConsentAt" TIMESTAMPTZ(3),
ADD COLUMN     "mediationConsentVia" TEXT,
ADD COLUMN     "preferLanguage" TEXT,
ADD COLUMN     "timeZone" TEXT;

-- CreateTable
CREATE TABLE "StaffHours" (
    "id" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "weekday" INTEGER NOT NULL,
    "startMin" INTEGER NOT NULL,
    "endMin" INTEGER NOT NULL,

    CONSTRAINT "StaffHours_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StaffException" (
    "id" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "endsAt" TIMESTAMPTZ(3) NOT NULL,
    "note" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "StaffException_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StaffSkill" (
    "staffId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "StaffSkill_pkey" PRIMARY KEY ("staffId","kind","value")
);

-- CreateTable
CREATE TABLE "SessionType" (
    "id" TEXT NOT NULL,
    "nameZh" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "minutes" INTEGER NOT NULL,
    "bufferMinutes" INTEGER NOT NULL,
    "minNoticeMinutes" INTEGER NOT NULL,
    "dailyCap" INTEGER NOT NULL,
    "maxParticipants" INTEGER NOT NULL,

    CONSTRAINT "SessionType_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MediationSession" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "sessionTypeId" TEXT NOT NULL,
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "endsAt" TIMESTAMPTZ(3) NOT NULL,
    "mode" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "heldByPartyId" TEXT,
    "holdExpiresAt" TIMESTAMPTZ(3),
    "roomName" TEXT,
    "outcome" TEXT,
    "note" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "cancelledAt" TIMESTAMPTZ(3),
    "doneAt" TIMESTAMPTZ(3),

    CONSTRAINT "MediationSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StaffBusy" (
    "staffId" TEXT NOT NULL,
    "block" TIMESTAMPTZ(3) NOT NULL,
    "sessionId" TEXT NOT NULL,

    CONSTRAINT "StaffBusy_pkey" PRIMARY KEY ("staffId","block")
);

-- CreateTable
CREATE TABLE "StaffDay" (
    "staffId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "booked" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "StaffDay_pkey" PRIMARY KEY ("staffId","day")
);

-- CreateTable
CREATE TABLE "SessionParticipant" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "partyId" TEXT,
    "staffId" TEXT,
    "name" TEXT,
    "confirmedAt" TIMESTAMPTZ(3),
    "joinedAt" TIMESTAMPTZ(3),
    "leftAt" TIMESTAMPTZ(3),
    "attendance" TEXT,

    CONSTRAINT "SessionParticipant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VideoEvent" (
    "id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "roomName" TEXT,
    "identity" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "VideoEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AppSecret" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AppSecret_pkey" PRIMARY KEY ("name")
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

