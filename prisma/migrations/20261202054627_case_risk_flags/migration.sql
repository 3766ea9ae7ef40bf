-- CreateTable
CREATE TABLE "CaseRiskFlag" (
    "caseId" TEXT NOT NULL,
    "flag" TEXT NOT NULL,

    PRIMARY KEY ("caseId", "flag")
);

-- CreateIndex
CREATE INDEX "CaseRiskFlag_flag_idx" ON "CaseRiskFlag"("flag");


-- Data (hand-written): the flags already on cases, one row each.
INSERT INTO "CaseRiskFlag" ("caseId", "flag")
SELECT c."id", j."value" FROM "Case" AS c, json_each(c."riskFlags") AS j
WHERE json_valid(c."riskFlags");
