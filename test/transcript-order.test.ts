// The transcript is polled "after N" (the web chat's GET /api/chat/messages?after=N). Rows are numbered per
// conversation in the transaction that writes them, so with writers side by side (PostgreSQL) a poll never
// skips a row that commits late; by the table's id it could: an id handed out first can commit last.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createConversationRepository, type ConversationRepository } from "../src/bot/conversation.repository.js";
import type { Outbound } from "../src/bot/messages.js";
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
});
