// The delivery ledger on its own: ordering and pacing across two instances, what a crash mid-send
// leaves, expiry, the web chat's transcript as its delivery, dedupe, a channel's reply window.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createConversationRepository, transcriptWriter } from "../src/bot/conversation.repository.js";
import type { Outbound } from "../src/bot/messages.js";
import { HOUR, ManualClock } from "../src/lib/clock.js";
import { silentLogger } from "../src/lib/logger.js";
import { LEASE_MS } from "../src/jobs/lease.js";
import { sendFailure, type ChannelSender } from "../src/notify/channels.js";
import { createDeliveryRepository } from "../src/notify/delivery.repository.js";
import { createDispatcher } from "../src/notify/dispatcher.js";
import { createMessenger } from "../src/notify/messenger.js";
import { createTestDb, type TestDb } from "./support/db.js";
import { all, sql } from "./support/query.js";

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(async () => {
  await t.cleanup();
});

const text = (s: string): Outbound => ({ kind: "text", text: s });

/** A channel standing in for Telegram: what each instance handed to it, in the order it arrived. */
function channel(arrived: { by: string; to: string; text: string }[], by: string, limit = { limit: 1000, windowMs: 1000 }): ChannelSender {
  let n = 0;
  return {
    async send(to, message) {
      arrived.push({ by, to, text: message.kind === "text" ? message.text : "" });
      return { channelMessageId: `${by}-${++n}` };
    },
    limits: (to) => [
      { key: `test:chat:${to}`, limit },
      { key: "test:all", limit },
    ],
  };
}

function instance(clock: ManualClock, owner: string) {
  const dispatcher = createDispatcher({ sql: t.sql, clock, logger: silentLogger, owner, maxInlineWaitMs: 0 });
  const messenger = createMessenger({ sql: t.sql, clock, transcript: transcriptWriter });
  return { dispatcher, messenger };
}

describe("the delivery ledger", () => {
  it("two instances sending one chat's messages: each once, in order", async () => {
    const clock = new ManualClock("2026-11-23T02:00:00Z");
    const arrived: { by: string; to: string; text: string }[] = [];
    const a = instance(clock, "a");
    const b = instance(clock, "b");
    a.dispatcher.register("telegram", channel(arrived, "a"));
    b.dispatcher.register("telegram", channel(arrived, "b"));
    for (let i = 1; i <= 20; i++) await a.messenger.send("telegram", "7", [text(`m${i}`)]);
    await Promise.all([a.dispatcher.sweep(), b.dispatcher.sweep(), a.dispatcher.drain("telegram", "7"), b.dispatcher.drain("telegram", "7")]);
    expect(arrived.map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i + 1}`));
    const rows = await all(t.sql, sql`SELECT "state", "channelMessageId" FROM "Delivery" ORDER BY "createdAt", "id"`);
    expect(rows.every((r) => r.state === "sent" && typeof r.channelMessageId === "string")).toBe(true);
    // The transcript kept a copy of each, for a person taking over.
    const transcript = await createConversationRepository(t.sql).transcript("telegram", "7");
    expect(transcript).toHaveLength(20);
  });

  it("two instances share the channel's rate window: together they send no more than its limit", async () => {
    const clock = new ManualClock("2026-11-23T02:00:00Z");
    const arrived: { by: string; to: string; text: string }[] = [];
    const a = instance(clock, "a");
    const b = instance(clock, "b");
    // 3 a minute overall: far below what two instances would send on their own counts.
    const slow = { limit: 3, windowMs: 60_000 };
    a.dispatcher.register("telegram", channel(arrived, "a", slow));
    b.dispatcher.register("telegram", channel(arrived, "b", slow));
    for (let i = 1; i <= 6; i++) await a.messenger.send("telegram", String(i), [text(`to ${i}`)]);
    await Promise.all([a.dispatcher.sweep(), b.dispatcher.sweep()]);
    expect(arrived.length).toBeLessThanOrEqual(3);
    expect(arrived.length).toBeGreaterThan(0);
    // Nothing was lost: the rest wait, queued.
    const queued = await all(t.sql, sql`SELECT 1 FROM "Delivery" WHERE "state" = 'queued'`);
    expect(queued.length + arrived.length).toBe(6);
  });

  it("a delivery cut off by a crash mid-send is not sent again; the other instance sends the rest", async () => {
    const clock = new ManualClock("2026-11-23T02:00:00Z");
    const arrived: { by: string; to: string; text: string }[] = [];
    const b = instance(clock, "b");
    b.dispatcher.register("telegram", channel(arrived, "b"));
    await b.messenger.send("telegram", "9", [text("first"), text("second"), text("third")]);
    // Instance a claimed the first and died while its request was on the wire.
    const claimed = await createDeliveryRepository(t.sql).claimNext("telegram", "9", "a", clock.now());
    expect(claimed?.message).toEqual(text("first"));
    await b.dispatcher.sweep();
    expect(arrived).toEqual([]); // a's claim still stands: order is kept, nothing overtakes it
    clock.advance(LEASE_MS + 1);
    await b.dispatcher.sweep();
    expect(arrived.map((m) => m.text)).toEqual(["second", "third"]);
    const rows = await all(t.sql, sql`SELECT "state", "error", "retryable" FROM "Delivery" ORDER BY "createdAt", "id"`);
    expect(rows[0]).toMatchObject({ state: "failed", retryable: false, error: expect.stringContaining("may have arrived") });
  });

  it("retries a temporary failure with back-off, and a message the channel rejects is failed and not retried", async () => {
    const clock = new ManualClock("2026-11-23T02:00:00Z");
    const d = instance(clock, "d");
    let calls = 0;
    d.dispatcher.register("telegram", {
      async send(_to, message) {
        calls++;
        if (message.kind === "text" && message.text === "bad") throw sendFailure("rejected", "sendMessage: 400 Bad Request: can't parse entities");
        if (calls === 1) throw sendFailure("temporary", "network: socket hang up");
        return { channelMessageId: String(calls) };
      },
      limits: () => [],
    });
    await d.messenger.send("telegram", "5", [text("ok"), text("bad"), text("after")]);
    await d.dispatcher.sweep();
    expect(calls).toBe(1);
    clock.advance(4_999);
    await d.dispatcher.sweep();
    expect(calls).toBe(1); // not before its back-off
    clock.advance(1);
    await d.dispatcher.sweep();
    const rows = await all(t.sql, sql`SELECT "state", "attempts", "retryable" FROM "Delivery" ORDER BY "createdAt", "id"`);
    expect(rows).toEqual([
      { state: "sent", attempts: 2, retryable: null },
      { state: "failed", attempts: 1, retryable: false },
      { state: "sent", attempts: 1, retryable: null },
    ]);
  });

  it("a job run twice hands a notice over once; a notice past its time is dropped with a record, not sent late", async () => {
    const clock = new ManualClock("2026-11-23T02:00:00Z");
    const arrived: { by: string; to: string; text: string }[] = [];
    const d = instance(clock, "d");
    await d.messenger.send("telegram", "3", [text("提醒")], { dedupeKey: "job:1:telegram:3" });
    await d.messenger.send("telegram", "3", [text("提醒")], { dedupeKey: "job:1:telegram:3" });
    await d.messenger.send("telegram", "3", [text("调解马上开始")], { expiresAt: new Date(clock.now().getTime() + HOUR) });
    clock.advance(2 * HOUR); // the channel was not running meanwhile
    d.dispatcher.register("telegram", channel(arrived, "d"));
    await d.dispatcher.sweep();
    expect(arrived.map((m) => m.text)).toEqual(["提醒"]);
    const rows = await all(t.sql, sql`SELECT "state" FROM "Delivery" ORDER BY "createdAt", "id"`);
    expect(rows.map((r) => r.state)).toEqual(["sent", "expired"]);
    expect(await createConversationRepository(t.sql).transcript("telegram", "3")).toHaveLength(2);
  });

  it("on the web chat the transcript is the delivery: sent at once, its id the transcript number", async () => {
    const clock = new ManualClock("2026-11-23T02:00:00Z");
    const d = instance(clock, "d");
    await d.messenger.send("web", "w1", [text("您的案件已受理"), text("第二条")], { dedupeKey: "job:9:web:w1" });
    await d.messenger.send("web", "w1", [text("您的案件已受理"), text("第二条")], { dedupeKey: "job:9:web:w1" });
    const transcript = await createConversationRepository(t.sql).transcript("web", "w1");
    expect(transcript.map((m) => m.seq)).toEqual([1, 2]);
    const rows = await all(t.sql, sql`SELECT "state", "channelMessageId" FROM "Delivery" ORDER BY "createdAt", "id"`);
    expect(rows).toEqual([
      { state: "sent", channelMessageId: "1" },
      { state: "sent", channelMessageId: "2" },
    ]);
  });

  it("a channel with a reply window: outside it the delivery fails at once with the reason, and nothing is queued", async () => {
    const clock = new ManualClock("2026-11-23T02:00:00Z");
    const d = instance(clock, "d");
    await d.messenger.send("wecom_kf", "kf-user", [{ kind: "text", text: "请选择", buttons: [[{ label: "是", data: "y" }, { label: "否", data: "n" }]] }]);
    const [row] = await all(t.sql, sql`SELECT "state", "error", "retryable", "content" FROM "Delivery"`);
    expect(row).toMatchObject({ state: "failed", retryable: false, error: expect.stringContaining("reply window") });
    // A channel without buttons gets the choices as numbered lines.
    expect(JSON.parse(String(row!.content))).toEqual({ kind: "text", text: "请选择\n1. 是\n2. 否" });
  });
});
