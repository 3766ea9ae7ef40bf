import type { DbOrTx } from "../db/client.js";
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
  db: DbOrTx,
  input: { type: DisputeType; complexity?: Complexity; riskFlags: readonly RiskFlag[] },
): Promise<Route> {
  const rule = await db.routingRule.findUnique({ where: { disputeType: input.type }, include: { room: true } });
  if (!rule) {
    throw new AppError("INTERNAL", `No routing rule for dispute type ${input.type}; check the RoutingRule table`);
  }
  let complexity = harder(rule.defaultComplexity as Complexity, input.complexity ?? "simple");
  if (input.riskFlags.some((f) => COMPLICATING.includes(f))) complexity = harder(complexity, "complex");
  return {
    roomId: rule.roomId,
    roomNameZh: rule.room.nameZh,
    roomNameEn: rule.room.nameEn,
    tier: rule.tier as Tier,
    complexity,
  };
}
