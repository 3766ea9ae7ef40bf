-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "documentId" TEXT;

-- CreateTable
CREATE TABLE "DocumentTemplate" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "content" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "DocumentTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Document" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "replacesId" TEXT,
    "signedFromId" TEXT,
    "templateVersion" INTEGER NOT NULL,
    "fields" TEXT NOT NULL,
    "fileRef" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "issueKey" TEXT NOT NULL,
    "issuedBy" TEXT NOT NULL,
    "issuedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Document_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Signature" (
    "id" TEXT NOT NULL,
    "documentId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "signedAt" TIMESTAMPTZ(3) NOT NULL,
    "channel" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,

    CONSTRAINT "Signature_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SigningCode" (
    "id" TEXT NOT NULL,
    "documentId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "usedAt" TIMESTAMPTZ(3),
    "lockedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SigningCode_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "DocumentTemplate_kind_version_key" ON "DocumentTemplate"("kind", "version");

-- CreateIndex
CREATE UNIQUE INDEX "Document_replacesId_key" ON "Document"("replacesId");

-- CreateIndex
CREATE UNIQUE INDEX "Document_signedFromId_key" ON "Document"("signedFromId");

-- CreateIndex
CREATE UNIQUE INDEX "Document_issueKey_key" ON "Document"("issueKey");

-- CreateIndex
CREATE INDEX "Document_caseId_kind_idx" ON "Document"("caseId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "Signature_documentId_partyId_key" ON "Signature"("documentId", "partyId");

-- CreateIndex
CREATE INDEX "SigningCode_documentId_partyId_idx" ON "SigningCode"("documentId", "partyId");

-- CreateIndex
CREATE INDEX "Delivery_documentId_idx" ON "Delivery"("documentId");

