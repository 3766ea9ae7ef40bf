import { createHash } from "node:crypto";
import type { PartyRecord } from "../cases/party.repository.js";
import { AppError } from "../lib/errors.js";
import type { Delivery } from "../notify/delivery.repository.js";
import type { DocumentRecord } from "./document.repository.js";
import type { DeliveryEvent, Signer } from "./fields.js";
import { channelLabel } from "./fill.js";
import { documentParties, inDocumentOrder } from "./case-documents.js";
import { issueDocument, type IssueDeps } from "./issue-document.js";
import { KIND_TITLES } from "./fields.js";

/**
 * Each step of a delivery as the 送达回证 prints it, from the ledger's own times: handed to the channel,
 * accepted by it (the arrival at the recipient's system that Civil Procedure Law art. 90 counts as
 * service), the file opened, 收到 pressed; or why it did not go.
 */
export function deliveryEvents(deliveries: readonly Delivery[]): DeliveryEvent[] {
  const events: DeliveryEvent[] = [];
  for (const d of deliveries) {
    const ch = d.channel;
    events.push({ at: d.createdAt, channel: ch, event: "已发送" });
    if (d.sentAt) events.push({ at: d.sentAt, channel: ch, event: `已送达（${channelLabel(ch)}已接收）` });
    if (d.state === "failed" && d.failedAt) events.push({ at: d.failedAt, channel: ch, event: `发送失败（${d.error ?? "原因不明"}）` });
    if (d.state === "expired" && d.failedAt) events.push({ at: d.failedAt, channel: ch, event: "未发出（已过期）" });
    if (d.openedAt) events.push({ at: d.openedAt, channel: ch, event: "已打开文书" });
    if (d.acknowledgedAt) events.push({ at: d.acknowledgedAt, channel: ch, event: "已确认收到（点击「收到」）" });
  }
  return events.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * The 送达回证 of one document for one party, made from the delivery ledger as it stands. The same
 * records give the same proof (one document); new events (opened, acknowledged) give the next
 * version, which names the one it replaces. Kept for staff and the court, not served to the party.
 */
export async function issueProofOfService(deps: IssueDeps, p: { documentId: string; partyId: string; actor: string }): Promise<DocumentRecord> {
  const doc = await deps.documents.byId(p.documentId);
  if (!doc) throw new AppError("NOT_FOUND", `No document ${p.documentId}`);
  if (doc.kind === "service_proof") throw new AppError("BAD_INPUT", "A proof of service is not itself served");
  const records = inDocumentOrder(await deps.cases.repos.parties.ofCase(doc.caseId));
  const ordinal = records.findIndex((r) => r.id === p.partyId);
  const party = records[ordinal];
  if (!party) throw new AppError("NOT_FOUND", `No party ${p.partyId} in the document's case`);
  const mine = (await deps.deliveries.ofDocument(doc.id)).filter((d) => d.channel === party.channel && d.recipient === party.channelUserId);
  const events = deliveryEvents(mine);
  const name = documentParties([party])[0]!.name;
  const acknowledged = mine.find((d) => d.acknowledgedAt);
  const signatures: Signer[] = [
    {
      role: "受送达人",
      name,
      ...(acknowledged ? { signed: { at: acknowledged.acknowledgedAt!, channel: acknowledged.channel, identity: identityOf(acknowledged) } } : {}),
    },
  ];
  const number = `${doc.number}-${doc.version}-HZ-${ordinal + 1}`;
  const digest = createHash("sha256").update(JSON.stringify(events)).digest("hex").slice(0, 16);
  const issueKey = `service_proof:${doc.id}:${party.id}:${digest}`;
  const earlier = await deps.documents.latestOfNumber(number);
  return issueDocument(deps, {
    caseId: doc.caseId,
    kind: "service_proof",
    issueKey,
    actor: p.actor,
    number,
    replaces: earlier && earlier.issueKey !== issueKey ? earlier : null,
    fields: {
      recipient: { name, address: addressOf(party) },
      served: { document: `《${KIND_TITLES[doc.kind]}》${doc.version > 1 ? `第${doc.version}版` : ""}`, documentNo: doc.number, by: deps.centreName },
      events,
      signatures,
    },
    serve: false,
  });
}

/** Who the channel says the recipient is: its user id there (a Telegram chat, a web chat's session user). */
const identityOf = (d: Pick<Delivery, "channel" | "recipient">) => `${channelLabel(d.channel)}用户 ${d.recipient}`;

function addressOf(p: PartyRecord): string {
  if (p.serviceChannel === "chat" && p.channel && p.channelUserId) return `电子送达：${identityOf({ channel: p.channel, recipient: p.channelUserId })}（当事人已确认送达地址）`;
  return p.serviceAddress ? `邮寄：${p.serviceAddress}` : "未确认电子送达地址";
}
