-- CreateTable
CREATE TABLE "CaseRiskFlag" (
    "caseId" TEXT NOT NULL,
    "flag" TEXT NOT NULL,

    CONSTRAINT "CaseRiskFlag_pkey" PRIMARY KEY ("caseId","flag")
);

-- CreateIndex
CREATE INDEX "CaseRiskFlag_flag_idx" ON "CaseRiskFlag"("flag");


-- Data (hand-written): the flags already on cases, one row each.
INSERT INTO "CaseRiskFlag" ("caseId", "flag")
SELECT c."id", f.flag FROM "Case" AS c, jsonb_array_elements_text(c."riskFlags"::jsonb) AS f(flag);
