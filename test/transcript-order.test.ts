// The transcript is polled "after N" (the web chat's GET /api/chat/messages?after=N). Rows are numbered per
// conversation in the transaction that writes them, so with writers side by side (PostgreSQL) a poll never
// skips a row that commits late; by the table's id it could: an id handed out first can commit last.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createConversationRepository, type ConversationRepository } from "../src/bot/conversation.repository.js";
import type { Outbound } from "../src/bot/messages.js";
import { sql } from "../src/db/sql.js";
import { isAppError } from "../src/lib/errors.js";
import { createTestDb, testDatabaseKind, type TestDb } from "./support/db.js";

const text = (t: string): Outbound => ({ kind: "text", text: t });

describe(`the transcript's order on ${testDatabaseKind()}`, () => {
  let t: TestDb;
  let conversations: ConversationRepository;
  beforeEach(async () => {
    t = await createTestDb({ seed: false });
    conversations = createConversationRepository(t.sql);
  });
  afterEach(() => t.cleanup());

  /** A dialogue turn as the dialogue saves one: load, save, and on CONFLICT load and save again. */
  async function turn(userId: string, label: string): Promise<number> {
    for (;;) {
      const { conversation } = await conversations.loadTurn("web", userId);
      try {
        return await conversations.saveTurn({
          existing: conversation,
          channel: "web",
          userId,
          locale: "zh-CN",
          state: "{}",
          inbound: { channel: "web", userId, text: `${label}?` },
          outbound: [text(`${label}!`)],
          now: new Date(),
        });
      } catch (err) {
        if (!isAppError(err, "CONFLICT")) throw err;
      }
    }
  }

  it("numbers every message 1, 2, 3 … in commit order, and a poll running meanwhile sees each exactly once", async () => {
    const user = "poller";
    let writing = true;
    const seen: number[] = [];
    const poller = (async () => {
      let after = 0;
      for (;;) {
        // Read before the page: once writing is over, an empty page means everything was seen.
        const done = !writing;
        const page = await conversations.transcript("web", user, after);
        for (const e of page) seen.push(e.seq);
        if (page.length > 0) after = page[page.length - 1]!.seq;
        else if (done) return;
      }
    })();

    const writers: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++) {
      writers.push(conversations.appendOutbound("web", user, [text(`notice ${i}`), text(`notice ${i} again`)], new Date()));
      if (i % 3 === 0) writers.push(turn(user, `turn ${i}`));
    }
    await Promise.all(writers);
    writing = false;
    await poller;

    // 30 notices of two messages, 10 turns of an inbound message and a reply.
    const total = 30 * 2 + 10 * 2;
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const all = await conversations.transcript("web", user, 0, 500);
    expect(all.map((e) => e.seq)).toEqual(seen);
    // A turn's rows are consecutive: its inbound message, then its reply.
    for (const [i, e] of all.entries()) {
      if (e.direction === "in") expect(all[i + 1]!.payload).toEqual(text(`${(e.payload as { text: string }).text.slice(0, -1)}!`));
    }
    expect((await conversations.recent("web", user, 3)).map((e) => e.seq)).toEqual([total - 2, total - 1, total]);
  });

  it("answers a turn with the number of its last message, and keeps each conversation's numbers its own", async () => {
    expect(await turn("a", "first")).toBe(2);
    await conversations.appendOutbound("web", "b", [text("for b")], new Date());
    expect(await turn("a", "second")).toBe(4);
    expect(await turn("b", "b's first")).toBe(3);
    expect((await conversations.transcript("web", "a", 2)).map((e) => [e.seq, e.direction])).toEqual([
      [3, "in"],
      [4, "out"],
    ]);
  });
  it("refuses a turn saved on a stale load (CONFLICT) and writes none of its rows, a first turn racing another too", async () => {
    const save = (existing: Awaited<ReturnType<ConversationRepository["loadTurn"]>>["conversation"], label: string, receiptKey?: string) =>
      conversations.saveTurn({
        existing,
        channel: "web",
        userId: "stale",
        locale: "zh-CN",
        state: JSON.stringify({ label }),
        inbound: { channel: "web", userId: "stale", text: `${label}?` },
        outbound: [text(`${label}!`), text(`${label}!!`)],
        ...(receiptKey ? { receiptKey } : {}),
        now: new Date(),
      });
    const none = (await conversations.loadTurn("web", "stale")).conversation;
    await save(none, "first");
    // A second "first turn" (its load found no conversation either) loses to the one that created it.
    await expect(save(none, "also first")).rejects.toSatisfy((err) => isAppError(err, "CONFLICT"));
    const loaded = (await conversations.loadTurn("web", "stale")).conversation;
    await save(loaded, "second", "web:stale:m2");
    // The same version again: another turn saved since.
    await expect(save(loaded, "stale", "web:stale:m3")).rejects.toSatisfy((err) => isAppError(err, "CONFLICT"));
    const rows = await conversations.transcript("web", "stale", 0);
    expect(rows.map((e) => [e.seq, e.direction])).toEqual([1, 2, 3, 4, 5, 6].map((seq) => [seq, seq % 3 === 1 ? "in" : "out"]));
    expect(JSON.parse((await conversations.loadTurn("web", "stale")).conversation!.state)).toEqual({ label: "second" });
    // Nothing of the refused turn was kept: its delivery id is free, and a later save with it is the next turn.
    expect(await conversations.findReceipt("web:stale:m3")).toBeNull();
    const [deliveries] = await t.sql.query<{ n: number }>(sql`SELECT COUNT(*) AS "n" FROM "Delivery" WHERE "recipient" = ${"stale"}`);
    expect(deliveries!.n).toBe(4);
  });
});
