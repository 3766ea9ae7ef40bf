import { sql, type Sql } from "../db/sql.js";
import { AppError } from "../lib/errors.js";
import { COMPLEXITIES, type Complexity, type DisputeType, type RiskFlag, type Tier } from "./types.js";

export interface Route {
  roomId: string;
  roomNameZh: string;
  roomNameEn: string;
  tier: Tier;
  complexity: Complexity;
}

/** Flags that make a matter harder to settle, not just more urgent. */
const COMPLICATING: readonly RiskFlag[] = ["group_claim", "wage_arrears_group", "large_sum"];

function harder(a: Complexity, b: Complexity): Complexity {
  return COMPLEXITIES.indexOf(a) >= COMPLEXITIES.indexOf(b) ? a : b;
}

/** 分流: look the type up in the routing table (data the centre edits), then weigh the case's facts. */
export async function routeCase(
  db: Sql,
  input: { type: DisputeType; complexity?: Complexity; riskFlags: readonly RiskFlag[] },
): Promise<Route> {
  // Raw SQL: this runs inside every case opening, and a model query costs several times more.
  const [rule] = await db.query<{ roomId: string; tier: string; defaultComplexity: string; nameZh: string; nameEn: string }>(
    sql`SELECT r."roomId", r."tier", r."defaultComplexity", m."nameZh", m."nameEn"
    FROM "RoutingRule" AS r JOIN "Room" AS m ON m."id" = r."roomId"
    WHERE r."disputeType" = ${input.type}`,
  );
  if (!rule) {
    throw new AppError("INTERNAL", `No routing rule for dispute type ${input.type}; check the RoutingRule table`);
  }
  let complexity = harder(rule.defaultComplexity as Complexity, input.complexity ?? "simple");
  if (input.riskFlags.some((f) => COMPLICATING.includes(f))) complexity = harder(complexity, "complex");
  return {
    roomId: rule.roomId,
    roomNameZh: rule.nameZh,
    roomNameEn: rule.nameEn,
    tier: rule.tier as Tier,
    complexity,
  };
}

export async function roomExists(db: Sql, roomId: string): Promise<boolean> {
  return (await db.query(sql`SELECT 1 AS "one" FROM "Room" WHERE "id" = ${roomId}`)).length === 1;
}
