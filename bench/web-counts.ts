// After a web-chat load run: what the clients sent and got, against what the database holds. Read
// through the Sql port on a connection of its own (the servers' are theirs), on SQLite or PostgreSQL.
import { openDatabase } from "../src/db/client.js";
import { sql } from "../src/db/sql.js";
import type { SessionLedger } from "./load-web.js";

export interface WebCounts {
  sessions: number;
  /** Sessions that wrote to every instance at once. */
  sessionsOnAllInstances: number;
  /** Turns the clients had answered (distinct client message ids), and inbound rows stored for them. */
  turnsAnswered: number;
  inboundStored: number;
  /** Reply messages the clients got (a turn answered twice counted once), and reply rows stored. */
  repliesGot: number;
  repliesStored: number;
  /** Reply deliveries in the ledger (kind reply on the web: the transcript row is the delivery). */
  replyDeliveries: number;
  /** Reply deliveries whose channel message id names no reply row of their conversation, or one named twice. */
  deliveriesUnmatched: number;
  deliveriesDoubled: number;
  /** Messages that were not replies (notices a job appended), for the record. */
  noticesStored: number;
  /** Sessions whose conversation is missing, or whose counts differ from the client's. */
  conversationsMissing: number;
  conversationsDiffering: number;
  /** Over every conversation of these sessions: seq numbers missing from 1…lastSeq, or used twice. */
  seqGaps: number;
  seqDuplicates: number;
  seqOutOfRange: number;
  /** Intakes the clients completed (saw a case code), cases stored for their sessions, and codes that differ. */
  intakesCompleted: number;
  casesStored: number;
  casesPerIntakeOtherThanOne: number;
  /** Nothing lost, nothing doubled. */
  ok: boolean;
}

interface ConversationRow {
  userId: string;
  lastSeq: number;
  rows: number;
  seqs: number;
  minSeq: number | null;
  maxSeq: number | null;
  inbound: number;
  replies: number;
  notices: number;
}

export async function countWeb(databaseUrl: string, sessions: SessionLedger[]): Promise<WebCounts> {
  const db = await openDatabase(databaseUrl);
  try {
    const conversations = await db.sql.query<ConversationRow>(sql`
      SELECT c."userId", c."lastSeq",
        COUNT(m."id") AS "rows", COUNT(DISTINCT m."seq") AS "seqs", MIN(m."seq") AS "minSeq", MAX(m."seq") AS "maxSeq",
        SUM(CASE WHEN m."direction" = 'in' THEN 1 ELSE 0 END) AS "inbound",
        SUM(CASE WHEN m."direction" = 'out' AND m."turnId" IS NOT NULL THEN 1 ELSE 0 END) AS "replies",
        SUM(CASE WHEN m."direction" = 'out' AND m."turnId" IS NULL THEN 1 ELSE 0 END) AS "notices"
      FROM "Conversation" AS c LEFT JOIN "ChatMessage" AS m ON m."conversationId" = c."id"
      WHERE c."channel" = 'web'
      GROUP BY c."userId", c."lastSeq"`);
    // Each reply delivery against the reply row it names (on the web, its transcript seq).
    const deliveries = await db.sql.query<{ recipient: string; deliveries: number; named: number; matched: number }>(sql`
      SELECT d."recipient", COUNT(*) AS "deliveries", COUNT(DISTINCT d."channelMessageId") AS "named", COUNT(m."id") AS "matched"
      FROM "Delivery" AS d
      LEFT JOIN "Conversation" AS c ON c."channel" = 'web' AND c."userId" = d."recipient"
      LEFT JOIN "ChatMessage" AS m ON m."conversationId" = c."id" AND m."direction" = 'out' AND m."turnId" IS NOT NULL
        AND CAST(m."seq" AS TEXT) = d."channelMessageId"
      WHERE d."channel" = 'web' AND d."kind" = 'reply'
      GROUP BY d."recipient"`);
    const cases = await db.sql.query<{ userId: string; code: string }>(sql`
      SELECT p."channelUserId" AS "userId", k."code"
      FROM "Party" AS p JOIN "Case" AS k ON k."id" = p."caseId"
      WHERE p."channel" = 'web' AND p."role" = 'claimant'`);

    const byUser = new Map(conversations.map((c) => [c.userId, c]));
    const deliveriesOf = new Map(deliveries.map((d) => [d.recipient, d]));
    const casesOf = new Map<string, string[]>();
    for (const c of cases) casesOf.set(c.userId, [...(casesOf.get(c.userId) ?? []), c.code]);

    const n = (x: unknown) => Number(x ?? 0);
    const counts: WebCounts = {
      sessions: sessions.length,
      sessionsOnAllInstances: sessions.filter((s) => s.both).length,
      turnsAnswered: 0,
      inboundStored: 0,
      repliesGot: 0,
      repliesStored: 0,
      replyDeliveries: 0,
      deliveriesUnmatched: 0,
      deliveriesDoubled: 0,
      noticesStored: 0,
      conversationsMissing: 0,
      conversationsDiffering: 0,
      seqGaps: 0,
      seqDuplicates: 0,
      seqOutOfRange: 0,
      intakesCompleted: 0,
      casesStored: 0,
      casesPerIntakeOtherThanOne: 0,
      ok: false,
    };
    for (const s of sessions) {
      counts.turnsAnswered += s.accepted;
      counts.repliesGot += s.replies;
      const codes = casesOf.get(s.userId) ?? [];
      counts.casesStored += codes.length;
      if (s.code) {
        counts.intakesCompleted++;
        if (codes.length !== 1 || codes[0] !== s.code) counts.casesPerIntakeOtherThanOne++;
      } else if (codes.length > 0) counts.casesPerIntakeOtherThanOne++;
      const c = byUser.get(s.userId);
      if (!c) {
        if (s.accepted > 0) counts.conversationsMissing++;
        continue;
      }
      counts.inboundStored += n(c.inbound);
      counts.repliesStored += n(c.replies);
      counts.noticesStored += n(c.notices);
      // Numbers 1…lastSeq, each once: what is missing is a gap, what is left over a duplicate (the
      // unique key forbids those; counted all the same), a number outside the range is both.
      if (n(c.rows) > 0 && (n(c.minSeq) < 1 || n(c.maxSeq) > n(c.lastSeq))) counts.seqOutOfRange++;
      counts.seqGaps += n(c.lastSeq) - n(c.seqs);
      counts.seqDuplicates += n(c.rows) - n(c.seqs);
      if (n(c.inbound) !== s.accepted || n(c.replies) !== s.replies) counts.conversationsDiffering++;
      const d = deliveriesOf.get(s.userId);
      counts.replyDeliveries += n(d?.deliveries);
      counts.deliveriesUnmatched += n(d?.deliveries) - n(d?.matched);
      counts.deliveriesDoubled += n(d?.deliveries) - n(d?.named);
    }
    counts.ok =
      counts.conversationsMissing === 0 &&
      counts.conversationsDiffering === 0 &&
      counts.inboundStored === counts.turnsAnswered &&
      counts.repliesStored === counts.repliesGot &&
      counts.replyDeliveries === counts.repliesStored &&
      counts.deliveriesUnmatched === 0 &&
      counts.deliveriesDoubled === 0 &&
      counts.seqGaps === 0 &&
      counts.seqDuplicates === 0 &&
      counts.seqOutOfRange === 0 &&
      counts.casesPerIntakeOtherThanOne === 0 &&
      counts.casesStored === counts.intakesCompleted;
    return counts;
  } finally {
    await db.close();
  }
}
