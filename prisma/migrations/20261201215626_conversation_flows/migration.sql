-- AlterTable
ALTER TABLE "Staff" ADD COLUMN "phone" TEXT;

-- AlterTable
ALTER TABLE "Case" ADD COLUMN "claimantCount" INTEGER;

-- CreateTable
CREATE TABLE "Handoff" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "channel" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "riskFlags" TEXT NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL,
    "replyDueAt" DATETIME NOT NULL,
    "firstReplyAt" DATETIME,
    "staffId" TEXT,
    "createdAt" DATETIME NOT NULL,
    "closedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "Handoff_status_createdAt_idx" ON "Handoff"("status", "createdAt");

-- CreateIndex
CREATE INDEX "Handoff_channel_userId_idx" ON "Handoff"("channel", "userId");
