import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import type { Classifier } from "../src/classify/port.js";
import { MINUTE, ManualClock } from "../src/lib/clock.js";
import { TelegramChat, until } from "./fakes/telegram-api.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { telegramWorld } from "./support/telegram.js";
import { all, containing, count, first, one, sql } from "./support/query.js";

const SECRET = "test_webhook-secret";
const STORY = "隔壁装修每天早上六点就开始打钻，说了好几次都不听";
const classifier = () => scriptedClassifier([{ match: "装修", type: "neighbor", confidence: 0.9 }]);

/** A classifier that answers only when the test lets it: a stand-in for a slow model. */
function gatedClassifier(inner: Classifier) {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let waiting = 0;
  return {
    open: () => open(),
    get waiting() {
      return waiting;
    },
    async classify(text: string) {
      waiting++;
      await gate;
      return inner.classify(text);
    },
  } satisfies Classifier & { open(): void; waiting: number };
}

describe("Telegram channel (webhook)", () => {
  const w = telegramWorld();
  const webhookEnv = { PUBLIC_BASE_URL: "https://onedoor.example.org", TELEGRAM_WEBHOOK_SECRET: SECRET };
  const startApp = (c: Classifier = classifier(), clock?: ManualClock) => w.start({ env: webhookEnv, classifier: c, clock });

  /** Telegram's side of a webhook delivery: POST the update, then run a method named in the reply, as Telegram does. */
  async function post(update: Record<string, unknown>, secret = SECRET): Promise<Response> {
    const res = await fetch(`${w.app!.url}/telegram/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
      body: JSON.stringify(update),
    });
    const reply = (await res.clone().json().catch(() => ({}))) as { method?: string; [param: string]: unknown };
    if (res.ok && reply.method) {
      const { method, ...params } = reply;
      await fetch(`${w.fake.apiRoot}/bot${w.fake.token}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(params),
      });
    }
    return res;
  }

  async function deliver(update: Record<string, unknown>): Promise<void> {
    const res = await post(update);
    expect(res.status).toBe(200);
  }

  const chat = (id: number, from?: { first_name: string; language_code?: string }) => new TelegramChat(w.fake, deliver, w.settled, id, from);

  async function intake(person: TelegramChat): Promise<string> {
    await person.say("/start");
    await person.press("同意");
    await person.say(STORY);
    await person.press("对");
    await person.say("幸福小区3栋");
    await person.press("不留电话");
    await person.press("在本地");
    await person.press("确认提交");
    const code = person.text().match(CASE_CODE_PATTERN)?.[0];
    expect(code).toBeDefined();
    return code!;
  }

  it("takes a whole report in Chinese through buttons and text, and answers the webhook before the classifier", async () => {
    const gated = gatedClassifier(classifier());
    await startApp(gated);
    expect(w.fake.sent("setWebhook")[0]?.params).toMatchObject({ url: "https://onedoor.example.org/telegram/webhook", secret_token: SECRET });
    // The command menu is set in Chinese (also the default) and in English.
    const commands = w.fake.sent("setMyCommands");
    expect(commands.map((c) => c.params.language_code ?? "default")).toEqual(["default", "zh", "en"]);
    expect(JSON.stringify(commands[1]!.params.commands)).toContain("登记新的纠纷");
    expect(JSON.stringify(commands[2]!.params.commands)).toContain("Report a new dispute");

    const resident = chat(101);
    // The resident sees the greeting and the privacy notice with two buttons.
    await resident.say("/start");
    expect(resident.text()).toContain("一扇门");
    expect(resident.last.at(-1)!.buttons.map((b) => b.text)).toEqual(["同意，开始登记", "不同意"]);
    await resident.press("同意");
    expect(resident.text()).toContain("请说说发生了什么");

    // The story goes to a classifier that has not answered yet: Telegram still gets its 200 at once.
    const story = resident.textUpdate(STORY);
    const res = await post(story);
    expect(res.status).toBe(200);
    await until(() => gated.waiting === 1, "the classifier to be asked");
    const job = await first(w.t.sql, sql`SELECT * FROM "Job" WHERE "dedupeKey" = ${`telegram:123456:${String(story.update_id)}`}`);
    expect(job?.doneAt).toBeNull();
    gated.open();
    await w.settled(Number(story.update_id));
    expect(w.fake.sent("sendMessage", 101).at(-1)!.params.text).toContain("邻里纠纷");

    // What the story said is shown back; the other side ("隔壁") is not asked again.
    expect(w.fake.sent("sendMessage", 101).at(-1)!.params.text).toContain("对方：隔壁");
    await resident.press("对");
    expect(resident.text()).toContain("在哪里发生的");
    await resident.say("幸福小区3栋");
    await resident.press("不留电话");
    await resident.press("在本地");
    expect(resident.text()).toContain("请核对");
    await resident.press("确认提交");
    // The resident sees the case code.
    const code = resident.text().match(CASE_CODE_PATTERN)?.[0];
    expect(code).toBeDefined();
    expect(resident.text()).toContain(`案件编号：${code}`);
    // The code is a code span: shown whole, copied with one tap.
    const card = w.fake.sent("sendMessage", 101).at(-1)!;
    const text = String(card.params.text);
    expect(card.params.entities).toEqual([{ type: "code", offset: text.indexOf(code!), length: code!.length }]);

    const stored = await one(w.t.sql, sql`SELECT * FROM "Case" WHERE "code" = ${code!}`);
    const parties = await all(w.t.sql, sql`SELECT * FROM "Party" WHERE "caseId" = ${stored.id}`);
    expect(stored.disputeType).toBe("neighbor");
    expect(parties.find((p) => p.role === "claimant")).toMatchObject({ channel: "telegram", channelUserId: "101", name: "张三" });

    // Every button press was answered; every button fits Telegram's 64-byte callback_data.
    const presses = w.fake.calls.filter((c) => c.method === "answerCallbackQuery").length;
    expect(presses).toBe(5); // 同意, 对, 不留电话, 在本地, 确认提交
    for (const call of w.fake.sent("sendMessage")) {
      const rows = (call.params.reply_markup as { inline_keyboard?: { callback_data: string }[][] } | undefined)?.inline_keyboard ?? [];
      for (const b of rows.flat()) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
    }
  });

  it("never lets its own sweep take over an update still in hand, however long it takes", async () => {
    // The classifier keeps an update in hand far past the lease. The claim is this process's own (its
    // lease keeper renews it), so the sweep leaves it alone: it is handled, and answered, once.
    const gated = gatedClassifier(classifier());
    const clock = new ManualClock("2026-11-23T02:00:00Z");
    await startApp(gated, clock);
    const resident = chat(107);
    await resident.say("/start");
    await resident.press("同意");
    const story = resident.textUpdate(STORY);
    expect((await post(story)).status).toBe(200);
    await until(() => gated.waiting === 1, "the classifier to be asked");

    clock.advance(6 * MINUTE);
    expect(await w.app!.worker.sweep()).toBe(0);
    const dedupeKey = `telegram:123456:${String(story.update_id)}`;
    const job = await one(w.t.sql, sql`SELECT * FROM "Job" WHERE "dedupeKey" = ${dedupeKey}`);
    expect(job.attempts).toBe(1);
    gated.open();
    await w.settled(Number(story.update_id));
    expect(gated.waiting).toBe(1); // classified once
    const asked = w.fake.sent("sendMessage", 107).filter((c) => String(c.params.text).includes("邻里纠纷"));
    expect(asked).toHaveLength(1);
  });

  it("handles an update delivered twice once: one case, one set of replies", async () => {
    await startApp();
    const resident = chat(102);
    await resident.say("/start");
    await resident.press("同意");
    await resident.say(STORY);
    await resident.press("对");
    await resident.say("幸福小区3栋");
    await resident.press("不留电话");
    await resident.press("在本地");
    const submit = resident.pressUpdate("确认提交");
    // Telegram resends when it did not see our answer: twice at once, then once more later.
    const [a, b] = await Promise.all([post(submit), post(submit)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    // The press is answered in the webhook reply of the delivery that stored it, and only there.
    const replies = await Promise.all([a.json(), b.json()]);
    expect(replies.filter((r) => r.method === "answerCallbackQuery")).toEqual([
      { method: "answerCallbackQuery", callback_query_id: (submit.callback_query as { id: string }).id },
    ]);
    await w.settled(Number(submit.update_id));
    const sentBefore = w.fake.sent("sendMessage", 102).length;
    expect((await post(submit)).status).toBe(200);
    await until(
      async () => (await count(w.t.sql, sql`SELECT 1 FROM "Job" WHERE "doneAt" IS NULL AND "kind" = ${"telegram.update"}`)) === 0,
      "no update in hand",
    );

    expect(await count(w.t.sql, sql`SELECT 1 FROM "Case"`)).toBe(1);
    // The resident saw the case code once.
    const codes = w.fake.sent("sendMessage", 102).filter((c) => CASE_CODE_PATTERN.test(String(c.params.text)));
    expect(codes).toHaveLength(1);
    expect(w.fake.sent("sendMessage", 102).length).toBe(sentBefore);
    expect(w.fake.calls.filter((c) => c.method === "answerCallbackQuery" && c.params.callback_query_id === (submit.callback_query as { id: string }).id)).toHaveLength(1);
  });

  it("refuses a wrong webhook secret with 401 and processes nothing", async () => {
    await startApp();
    const stranger = chat(103);
    for (const secret of ["wrong", "", `${SECRET}x`]) {
      const res = await post(stranger.textUpdate("/start"), secret);
      expect(res.status).toBe(401);
    }
    const noHeader = await fetch(`${w.app!.url}/telegram/webhook`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(stranger.textUpdate("/start")) });
    expect(noHeader.status).toBe(401);
    expect(await count(w.t.sql, sql`SELECT 1 FROM "Job" WHERE "kind" = ${"telegram.update"}`)).toBe(0);
    expect(await count(w.t.sql, sql`SELECT 1 FROM "Conversation"`)).toBe(0);
    expect(w.fake.sent("sendMessage")).toHaveLength(0);
  });

  it("waits out a 429 for one chat without holding up another, and loses nothing", async () => {
    // Telegram's real pacing here. A waits 3 s in place (a short retry_after); B has that long to be answered.
    await w.start({ env: webhookEnv, classifier: classifier(), telegramPacing: true });
    w.fake.rateLimit({ method: "sendMessage", chatId: 201, retryAfter: 3 });
    const a = chat(201);
    const b = chat(202);
    const aStart = a.textUpdate("/start");
    const bStart = b.textUpdate("/start");
    await deliver(aStart);
    await deliver(bStart);
    await w.settled(Number(bStart.update_id));
    await w.settled(Number(aStart.update_id));

    // A was told to wait; B got its greeting while A waited; then A got everything, in order.
    const aCalls = w.fake.calls.filter((c) => String(c.params.chat_id) === "201" && c.method.startsWith("sendMessage"));
    expect(aCalls.map((c) => c.method)).toEqual(["sendMessage:429", "sendMessage", "sendMessage"]);
    const bFirst = w.fake.sent("sendMessage", 202)[0]!;
    // Not held up: B is answered before A's retry (whether B's first send comes before or after A's
    // refused one is a race between two lanes, and says nothing).
    expect(bFirst.seq).toBeLessThan(aCalls[1]!.seq);
    expect(String(aCalls[1]!.params.text)).toContain("一扇门");
    expect(String(aCalls[2]!.params.text)).toContain("同意就开始登记");
    expect(w.fake.sent("sendMessage", 202)).toHaveLength(2);
  });

  it("a 429 with a long retry_after is waited out in the ledger: nothing sent twice, the chat's order kept", async () => {
    const clock = new ManualClock("2026-11-23T02:00:00Z");
    await startApp(classifier(), clock);
    w.fake.rateLimit({ method: "sendMessage", chatId: 203, retryAfter: 200 });
    const resident = chat(203);
    const start = resident.textUpdate("/start");
    await deliver(start);
    await w.settled(Number(start.update_id));
    // Telegram said "wait 200 s": nothing more was tried, both replies wait in the ledger.
    const calls = () => w.fake.calls.filter((c) => String(c.params.chat_id) === "203" && c.method.startsWith("sendMessage")).map((c) => c.method);
    expect(calls()).toEqual(["sendMessage:429"]);
    const states = async () =>
      (await all(w.t.sql, sql`SELECT "state" FROM "Delivery" WHERE "recipient" = '203' ORDER BY "createdAt", "id"`)).map((r) => r.state);
    expect(await states()).toEqual(["queued", "queued"]);
    clock.advance(199_000);
    await w.app!.dispatcher.sweep();
    expect(calls()).toEqual(["sendMessage:429"]);
    clock.advance(1_000);
    await w.app!.dispatcher.sweep();
    expect(calls()).toEqual(["sendMessage:429", "sendMessage", "sendMessage"]);
    expect(String(w.fake.sent("sendMessage", 203)[0]!.params.text)).toContain("一扇门");
    expect(await states()).toEqual(["sent", "sent"]);
  });

  it("a Bot API outage in the middle of a reply: what went out is not sent again, the rest follows after a back-off", async () => {
    const clock = new ManualClock("2026-11-23T02:00:00Z");
    await startApp(classifier(), clock);
    w.fake.refuse({ method: "sendMessage", chatId: 205, code: 502, description: "Bad Gateway", skip: 1 });
    const resident = chat(205);
    const start = resident.textUpdate("/start");
    await deliver(start);
    await w.settled(Number(start.update_id));
    expect(w.fake.sent("sendMessage", 205)).toHaveLength(1); // the greeting; the consent question failed
    const [, second] = await all(w.t.sql, sql`SELECT * FROM "Delivery" WHERE "recipient" = '205' ORDER BY "createdAt", "id"`);
    expect(second).toMatchObject({ state: "queued", attempts: 1, error: expect.stringContaining("502") });
    // The same update delivered again (Telegram retries a webhook it thinks failed): nothing re-sent.
    await deliver(start);
    clock.advance(5_000);
    await w.app!.dispatcher.sweep();
    const texts = w.fake.sent("sendMessage", 205).map((c) => String(c.params.text));
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain("一扇门");
    expect(texts[1]).toContain("同意就开始登记");
  });

  it("a resident who blocked the bot: the delivery fails for good, is not retried, and the turn is still stored", async () => {
    await startApp();
    w.fake.refuse({ method: "sendMessage", chatId: 206, code: 403, description: "Forbidden: bot was blocked by the user", times: 10 });
    const resident = chat(206);
    const start = resident.textUpdate("/start");
    await deliver(start);
    await w.settled(Number(start.update_id));
    const rows = await all(w.t.sql, sql`SELECT * FROM "Delivery" WHERE "recipient" = '206' ORDER BY "createdAt", "id"`);
    expect(rows.map((r) => [r.state, r.retryable])).toEqual([["failed", false], ["failed", false]]);
    expect(w.fake.calls.filter((c) => String(c.params.chat_id) === "206")).toHaveLength(2); // one try each
    expect(await count(w.t.sql, sql`SELECT 1 FROM "ChatMessage" AS m JOIN "Conversation" AS c ON c."id" = m."conversationId" WHERE c."userId" = '206'`)).toBe(3);
  });

  it("picks up where the resident was after a restart, including an update stored but not handled", async () => {
    await startApp();
    const resident = chat(104);
    await resident.say("/start");
    await resident.press("同意");
    await resident.say(STORY);
    expect(resident.text()).toContain("邻里纠纷");
    await w.app!.close();
    w.app = undefined;

    // A press that reached the database just before the process went down, never handled.
    const press = resident.pressUpdate("对");
    await w.t.sql.execute(sql`
      INSERT INTO "Job" ("id", "kind", "payload", "dedupeKey", "dueAt", "attempts", "createdAt")
      VALUES (${"crashed-update"}, ${"telegram.update"}, ${JSON.stringify({ update: press })},
        ${`telegram:123456:${String(press.update_id)}`}, ${new Date()}, 0, ${new Date()})`);

    await startApp();
    // The job sweep handles it: the resident sees the next question without pressing again.
    await w.settled(Number(press.update_id));
    expect(String(w.fake.sent("sendMessage", 104).at(-1)!.params.text)).toContain("在哪里发生的");
    await resident.say("幸福小区3栋");
    await resident.press("不留电话");
    await resident.press("在本地");
    await resident.press("确认提交");
    expect(resident.text()).toMatch(CASE_CODE_PATTERN);
    expect(await count(w.t.sql, sql`SELECT 1 FROM "Case"`)).toBe(1);
  });

  it("stores a photo with its SHA-256 and lists it on the case; refuses wrong types and sizes before downloading", async () => {
    await startApp();
    const resident = chat(105);
    const code = await intake(resident);

    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("photo of the drill marks on the wall".repeat(50))]);
    w.fake.addFile("photo-big", jpeg, "photos/file_1.jpg");
    const sha = createHash("sha256").update(jpeg).digest("hex");
    await resident.send(
      resident.messageUpdate({
        photo: [
          { file_id: "photo-small", file_unique_id: "s1", width: 90, height: 90, file_size: 500 },
          { file_id: "photo-big", file_unique_id: "b1", width: 1280, height: 960, file_size: jpeg.length },
        ],
        caption: "墙上的钻孔",
      }),
    );
    // The resident sees the photo filed on their case.
    expect(resident.text()).toContain(`记入案件 ${code}`);
    const evidence = await all(w.t.sql, sql`SELECT e.* FROM "Evidence" AS e JOIN "Case" AS c ON c."id" = e."caseId" WHERE c."code" = ${code}`);
    expect(evidence).toHaveLength(1);
    expect(evidence[0]).toMatchObject({ kind: "photo", mime: "image/jpeg", sha256: sha, size: jpeg.length });
    expect(evidence[0]!.storagePath.endsWith(`evidence/${sha}`)).toBe(true);
    expect(createHash("sha256").update(fs.readFileSync(evidence[0]!.storagePath)).digest("hex")).toBe(sha);
    const staffView = (await (await fetch(`${w.app!.url}/api/staff/cases/${code}`)).json()) as { case: { evidence: { sha256: string }[] } };
    expect(staffView.case.evidence.map((e) => e.sha256)).toEqual([sha]);

    // An executable and an oversized PDF are refused before anything is downloaded.
    const getFilesBefore = w.fake.sent("getFile").length;
    await resident.send(resident.messageUpdate({ document: { file_id: "exe", file_unique_id: "e1", file_name: "发票.exe", mime_type: "application/x-msdownload", file_size: 1000 } }));
    expect(resident.text()).toContain("这种文件收不了");
    await resident.send(resident.messageUpdate({ document: { file_id: "big", file_unique_id: "g1", file_name: "合同.pdf", mime_type: "application/pdf", file_size: 30 * 1024 * 1024 } }));
    expect(resident.text()).toContain("文件太大");
    // A "PDF" whose bytes are not a PDF is refused after download and not kept.
    w.fake.addFile("fake-pdf", Buffer.from("MZ this is not a pdf"), "documents/fake.pdf");
    await resident.send(resident.messageUpdate({ document: { file_id: "fake-pdf", file_unique_id: "f1", file_name: "证据.pdf", mime_type: "application/pdf", file_size: 20 } }));
    expect(resident.text()).toContain("这种文件收不了");
    expect(w.fake.sent("getFile").length).toBe(getFilesBefore + 1);
    expect(await count(w.t.sql, sql`SELECT 1 FROM "Evidence"`)).toBe(1);
  });

  it("reads a file from disk when a local Bot API server (--local) answers getFile with an absolute path", async () => {
    await startApp();
    const resident = chat(106);
    const code = await intake(resident);
    // The local server keeps the file on its own disk, shared with us, and serves no download.
    const pdf = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.from("租赁合同第3页".repeat(40))]);
    const onDisk = `${w.t.dir}/bot-api-server/documents/file_7.pdf`;
    fs.mkdirSync(`${w.t.dir}/bot-api-server/documents`, { recursive: true });
    fs.writeFileSync(onDisk, pdf);
    w.fake.addFile("local-pdf", pdf, onDisk);
    const downloadsBefore = w.fake.downloads.length;
    await resident.send(
      resident.messageUpdate({ document: { file_id: "local-pdf", file_unique_id: "l1", file_name: "合同.pdf", mime_type: "application/pdf", file_size: pdf.length } }),
    );
    expect(resident.text()).toContain(`记入案件 ${code}`);
    expect(w.fake.downloads.length).toBe(downloadsBefore);
    const [evidence] = await all(w.t.sql, sql`SELECT e.* FROM "Evidence" AS e JOIN "Case" AS c ON c."id" = e."caseId" WHERE c."code" = ${code}`);
    expect(evidence).toMatchObject({ mime: "application/pdf", size: pdf.length, sha256: createHash("sha256").update(pdf).digest("hex") });
    expect(fs.readFileSync(evidence!.storagePath).equals(pdf)).toBe(true);
  });

  it("sends a file as a document from the file store: the bytes uploaded intact, with its name and caption, recorded as sent", async () => {
    await startApp();
    // A document the centre holds (issue 11 renders these): in the file store, named by its SHA-256.
    const pdf = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.from("受理通知书 OD-20261123-0001 ".repeat(200))]);
    const sha = createHash("sha256").update(pdf).digest("hex");
    fs.mkdirSync(path.join(w.app!.config.DATA_DIR, "documents"), { recursive: true });
    fs.writeFileSync(path.join(w.app!.config.DATA_DIR, "documents", sha), pdf);
    await w.app!.messenger.send(
      "telegram",
      "108",
      [{ kind: "file", name: "受理通知书.pdf", mime: "application/pdf", ref: `documents/${sha}`, caption: "案件 OD-20261123-0001 受理通知书" }],
      { kind: "document" },
    );
    await until(async () => (await all(w.t.sql, sql`SELECT * FROM "Delivery" WHERE "state" = 'sent' AND "kind" = 'document'`)).length === 1, "document sent");
    const [sent] = w.fake.sent("sendDocument", 108);
    expect(sent?.uploads).toEqual([{ field: "document", name: "受理通知书.pdf", size: pdf.length, sha256: sha }]);
    expect(sent?.params.caption).toBe("案件 OD-20261123-0001 受理通知书");
    const [row] = await all(w.t.sql, sql`SELECT * FROM "Delivery" WHERE "kind" = 'document'`);
    expect(row).toMatchObject({ channel: "telegram", recipient: "108", state: "sent", attempts: 1 });
    expect(row!.channelMessageId).toMatch(/^\d+$/);
  });

  it("a document missing from the file store is our bug: failed, not retried, logged as an error; the chat's next message still goes", async () => {
    await startApp();
    await w.app!.messenger.send("telegram", "109", [
      { kind: "file", name: "x.pdf", mime: "application/pdf", ref: `documents/${"0".repeat(64)}` },
      { kind: "text", text: "下一条" },
    ]);
    await until(() => w.fake.sent("sendMessage", 109).length === 1, "next message");
    // The fake has the message a moment before the ledger records its answer.
    await until(async () => (await all(w.t.sql, sql`SELECT 1 FROM "Delivery" WHERE "recipient" = '109' AND "state" IN ('queued', 'sending')`)).length === 0, "ledger settled");
    const rows = await all(w.t.sql, sql`SELECT * FROM "Delivery" WHERE "recipient" = '109' ORDER BY "createdAt", "id"`);
    expect(rows.map((r) => [r.state, r.retryable])).toEqual([["failed", false], ["sent", null]]);
    expect(w.fake.sent("sendDocument", 109)).toEqual([]);
  });

  it("links a mediator with a one-time invite, tells them of a routed case, shows the queue and takes an acceptance", async () => {
    await startApp();
    const invite = (await (await fetch(`${w.app!.url}/api/staff/invites`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ staffId: "duty_village" }),
    })).json()) as { code: string; startPayload: string; link: string };
    expect(invite.link).toBe(`https://t.me/OneDoorTestBot?start=${invite.startPayload}`);

    const mediator = chat(900, { first_name: "李调解", language_code: "zh-hans" });
    await mediator.say(`/start ${invite.startPayload}`);
    // The mediator sees they are linked, and an empty queue.
    expect(mediator.text()).toContain("已绑定工作人员账号：村调委会值班调解员");
    expect(mediator.text()).toContain("暂无待办案件");
    expect(await first(w.t.sql, sql`SELECT * FROM "Staff" WHERE "id" = ${"duty_village"}`)).toMatchObject({ channel: "telegram", channelUserId: "900" });
    // Their chat gets the mediator's command menu, in Chinese and English.
    await until(() => w.fake.sent("setMyCommands").filter((c) => JSON.stringify(c.params.scope) === '{"type":"chat","chat_id":900}').length === 3, "mediator menu");
    const menus = w.fake.sent("setMyCommands").filter((c) => JSON.stringify(c.params.scope) === '{"type":"chat","chat_id":900}');
    expect(menus.map((c) => (c.params.commands as { command: string }[]).map((x) => x.command))[0]).toEqual(["queue", "schedule", "help", "lang"]);
    expect(JSON.stringify(menus[0]!.params.commands)).toContain("待受理与办理中的案件");
    expect(JSON.stringify(menus[2]!.params.commands)).toContain("Cases waiting and in hand");

    // The invite works once only: someone else who got hold of it gets a clear no and the usual start.
    const other = chat(901);
    await other.say(`/start ${invite.startPayload}`);
    expect(other.text()).toContain("邀请码无效、已使用或已过期");
    expect(other.text()).toContain("一扇门");

    // A resident reports a neighbour dispute; it is routed to the village committee.
    const code = await intake(chat(106));
    // The mediator is told, with buttons to accept or return it.
    await until(() => w.fake.sent("sendMessage", 900).some((c) => String(c.params.text).includes("新案件分派") && String(c.params.text).includes(code)), "assignment notice");
    const notice = w.fake.sent("sendMessage", 900).find((c) => String(c.params.text).includes("新案件分派"))!;
    expect(JSON.stringify(notice.params.reply_markup)).toContain(`受理 ${code}`);

    await mediator.say("/queue");
    expect(mediator.text()).toContain("待受理（1）");
    expect(mediator.text()).toContain(code);

    await mediator.press(`受理 ${code}`);
    expect(mediator.text()).toContain(`已受理 ${code}`);
    const accepted = await one(w.t.sql, sql`SELECT * FROM "Case" WHERE "code" = ${code}`);
    expect(accepted).toMatchObject({ status: "in_mediation", mediatorId: "duty_village" });

    await mediator.say("/queue");
    expect(mediator.text()).toContain("我办理中（1）");
    // Pressing accept again on the old notice: told it is no longer waiting, nothing changes.
    await mediator.press(`受理 ${code}`);
    expect(mediator.text()).toContain("已不在待受理状态");
  });

  it("hands a Telegram chat to a person: the staff reply arrives in that chat and in its transcript", async () => {
    await startApp();
    const resident = chat(111, { first_name: "小王" });
    await resident.say("/start");
    await resident.say("转人工");
    expect(resident.text()).toContain("在这里回复您");
    const { handoffs } = (await (await fetch(`${w.app!.url}/api/staff/handoffs?status=open`)).json()) as { handoffs: { id: string }[] };
    const res = await fetch(`${w.app!.url}/api/staff/handoffs/${handoffs[0]!.id}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "您好，我是值班员，请问怎么称呼？", staffId: "duty_desk" }),
    });
    expect(res.status).toBe(202);
    await until(() => w.fake.sent("sendMessage", 111).some((c) => String(c.params.text).startsWith("【工作人员】")), "the staff reply");
    const sent = w.fake.sent("sendMessage", 111).find((c) => String(c.params.text).startsWith("【工作人员】"))!;
    expect(sent.params.text).toBe("【工作人员】您好，我是值班员，请问怎么称呼？");
    await until(
      async () => (await count(w.t.sql, sql`SELECT 1 FROM "ChatMessage" WHERE "payload" LIKE ${containing("我是值班员")}`)) === 1,
      "the transcript copy",
    );
  });

  it("follows deep links: a respondent joins by invitation once; a case code alone shows nothing to a stranger", async () => {
    await startApp();
    const claimant = chat(107);
    const code = await intake(claimant);

    // The claimant opens the case's link and sees its status.
    await claimant.say(`/start c_${code}`);
    expect(claimant.text()).toContain(`${code}｜邻里纠纷`);
    expect(claimant.text()).toContain("已分流，待调解员受理");

    // A stranger who knows the code sees nothing of the case, then the usual start.
    const stranger = chat(108);
    await stranger.say(`/start c_${code}`);
    expect(stranger.text()).toContain(`这个账号下没有编号为 ${code} 的案件`);
    expect(stranger.text()).not.toContain("邻里纠纷");

    const invite = (await (await fetch(`${w.app!.url}/api/staff/cases/${code}/invites`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).json()) as { startPayload: string };
    const respondent = chat(109, { first_name: "王某" });
    await respondent.say(`/start ${invite.startPayload}`);
    // A neutral summary: the centre, the type, that mediation is voluntary and free.
    expect(respondent.text()).toContain(`与您有关的纠纷（邻里纠纷，案件 ${code}）`);
    expect(respondent.text()).toContain("自愿、免费");
    const party = await one(w.t.sql, sql`
      SELECT p.* FROM "Party" AS p JOIN "Case" AS c ON c."id" = p."caseId" WHERE c."code" = ${code} AND p."role" = ${"respondent"}`);
    expect(party).toMatchObject({ channel: "telegram", channelUserId: "109", inviteToken: null });
    // The respondent now finds the case under "my cases".
    await respondent.say("/status");
    expect(respondent.text()).toContain(code);

    // Used once: a second use is refused with a clear answer.
    await stranger.say(`/start ${invite.startPayload}`);
    expect(stranger.text()).toContain("邀请链接无效或已过期");

    // Garbage payloads get the usual start.
    await chat(110).say("/start hello");
    expect(w.fake.sent("sendMessage", 110).map((c) => String(c.params.text)).join("\n")).toContain("这个链接无法识别");
  });
});
