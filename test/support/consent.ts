import type { Outbound } from "../../src/bot/messages.js";
import { CASE_CODE_PATTERN } from "../../src/cases/types.js";
import type { TestApp } from "./app.js";
import { Resident } from "./dialogue.js";
import { all, sql } from "./query.js";

/** What the delivery ledger handed to one chat outside its own turns (notices, invitations, reminders), oldest first. */
export async function delivered(app: TestApp, userId: string, channel = "web"): Promise<Outbound[]> {
  const rows = await all<{ content: string }>(app.t.sql, sql`
    SELECT "content" FROM "Delivery" WHERE "channel" = ${channel} AND "recipient" = ${userId} AND "kind" <> ${"reply"} ORDER BY "createdAt", "id"`);
  return rows.map((r) => JSON.parse(r.content) as Outbound);
}

/** What a person reads of messages: texts, file captions and names. */
export const shown = (out: Outbound[]) => out.map((o) => (o.kind === "file" ? `${o.name} ${o.caption ?? ""}` : o.text)).join("\n");

/** A web claimant files a wage claim against their boss (the intake knows the other side) and gets its code. */
export async function fileWageClaim(app: TestApp, userId = "claimant"): Promise<{ claimant: Resident; code: string }> {
  const claimant = new Resident(app.dialogue, userId);
  await claimant.say("老板欠我三个月工资，八千块");
  for (const step of ["同意", "对", "不留电话", "在本地", "确认提交"]) await claimant.press(step);
  return { claimant, code: claimant.text().match(CASE_CODE_PATTERN)![0] };
}

/** The r_<token> payload in the invitation the claimant was given. */
export function payloadIn(out: Outbound[]): string {
  const m = shown(out).match(/\?start=(r_[A-Za-z0-9_-]+)/);
  if (!m) throw new Error(`no invitation link in: ${shown(out)}`);
  return m[1]!;
}
