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


-- The centre's duty desk receives safety pages and handoffs. A database seeded before this release
-- gets it here (a new one gets it from prisma/seed/routing.json, since seeding only fills an empty one).
INSERT INTO "Staff" ("id", "name", "role", "active", "createdAt")
SELECT 'duty_desk', '综治中心值班员', 'duty', true, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')
WHERE EXISTS (SELECT 1 FROM "Room") AND NOT EXISTS (SELECT 1 FROM "Staff" WHERE "id" = 'duty_desk');
