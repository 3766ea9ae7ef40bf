import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Outbound } from "../src/bot/messages.js";
import { acceptCase, closeCase } from "../src/cases/change-status.js";
import { DAY } from "../src/lib/clock.js";
import { newId } from "../src/lib/ids.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { delivered, fileWageClaim } from "./support/consent.js";
import { all, one, sql } from "./support/query.js";

// pdftotext comes from Debian's poppler-utils, which .ci/run installs; only a laptop without it skips.
const PDFTOTEXT = fs.existsSync("/usr/bin/pdftotext");
if (!PDFTOTEXT && process.env.CI) throw new Error("pdftotext is missing: apt-get install poppler-utils");

function pdfText(bytes: Buffer): string {
  const file = path.join(os.tmpdir(), `onedoor-${newId()}.pdf`);
  fs.writeFileSync(file, bytes);
  try {
    return execFileSync("/usr/bin/pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
  } finally {
    fs.rmSync(file, { force: true });
  }
}

describe.skipIf(!PDFTOTEXT)("documents served electronically (电子送达), with proof of each step", () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(async () => {
    await app.stop();
  });

  /**
   * A web claimant files a wage claim (consenting to service in this chat); the other side (known from
   * the story) is recorded with a paper address; the room's mediator accepts the case.
   */
  async function acceptedCase() {
    const { claimant, code } = await fileWageClaim(app, "claimant");
    const c = await one<{ id: string; roomId: string }>(app.t.sql, sql`SELECT "id", "roomId" FROM "Case" WHERE "code" = ${code}`);
    await app.t.sql.execute(sql`
      UPDATE "Party" SET "name" = '王老板', "serviceChannel" = 'post', "serviceAddress" = '某县某镇建设路 8 号'
      WHERE "caseId" = ${c.id} AND "role" = 'respondent'`);
    const mediator = await one<{ id: string; name: string }>(app.t.sql, sql`
      SELECT "id", "name" FROM "Staff" WHERE "roomId" = ${c.roomId} AND "role" = 'mediator' AND "active" = ${true} ORDER BY "id" LIMIT 1`);
    await acceptCase(app.cases, { caseId: c.id, mediatorId: mediator.id, actor: `staff:${mediator.id}` });
    await app.worker.sweep();
    return { claimant, code, caseId: c.id, mediator };
  }

  const served = (out: Outbound[]) => {
    const file = out.find((o): o is Extract<Outbound, { kind: "file" }> => o.kind === "file" && o.mime === "application/pdf");
    const note = out.find((o): o is Extract<Outbound, { kind: "text" }> => o.kind === "text" && /\/documents\//.test(o.text));
    return { file, note, link: note?.text.match(/https?:\/\/\S+\/documents\/\S+/)?.[0] };
  };

  it("the acceptance notice reaches the claimant's chat as a PDF with its code; the link opens it and 收到 acknowledges it, each recorded once", async () => {
    const { claimant, code, caseId, mediator } = await acceptedCase();

    // What the claimant's chat was given: the PDF, and a line with its download link and a 收到 button.
    const { file, note, link } = served(await delivered(app, "claimant"));
    expect(file?.name).toBe(`${code} 受理通知书.pdf`);
    expect(file?.caption).toContain(code);
    expect(note?.text).toContain("看过后请点「收到」");
    expect(note?.buttons?.flat().map((b) => b.label)).toContain("收到");

    const doc = await one<{ id: string; sha256: string; fileRef: string; number: string; version: number }>(app.t.sql, sql`
      SELECT "id", "sha256", "fileRef", "number", "version" FROM "Document" WHERE "caseId" = ${caseId} AND "kind" = 'acceptance_notice'`);
    expect(doc).toMatchObject({ number: `${code}-SL`, version: 1 });
    expect(file?.ref).toBe(doc.fileRef);
    expect(file?.caption).toContain(doc.sha256);

    // The link gives the very bytes recorded, and the PDF reads as the notice of this case.
    const pathname = new URL(link!).pathname;
    const res = await fetch(`${app.url}${pathname}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("x-content-sha256")).toBe(doc.sha256);
    const text = pdfText(Buffer.from(await res.arrayBuffer()));
    expect(text).toContain("受理通知书");
    expect(text).toContain(code);
    expect(text).toContain(mediator.name);

    const delivery = () =>
      one<{ state: string; createdAt: Date; sentAt: Date | null; openedAt: Date | null; acknowledgedAt: Date | null }>(app.t.sql, sql`
        SELECT "state", "createdAt", "sentAt", "openedAt", "acknowledgedAt" FROM "Delivery" WHERE "documentId" = ${doc.id} AND "recipient" = 'claimant'`);
    const openedAt = app.clock.now();
    expect(await delivery()).toMatchObject({ state: "sent", openedAt, acknowledgedAt: null });

    // Fetched again an hour later: the first opening stands.
    app.clock.advance(3600_000);
    expect((await fetch(`${app.url}${pathname}`)).status).toBe(200);
    expect((await delivery()).openedAt).toEqual(openedAt);

    // 收到, as the claimant presses it under the notice.
    claimant.last = [note!];
    await claimant.press("收到");
    expect(claimant.text()).toContain(`已记下您在`);
    expect(claimant.text()).toContain(code);
    const acknowledgedAt = app.clock.now();
    expect((await delivery()).acknowledgedAt).toEqual(acknowledgedAt);
    claimant.last = [note!];
    await claimant.press("收到");
    expect(claimant.text()).toContain("已确认收到");
    expect((await delivery()).acknowledgedAt).toEqual(acknowledgedAt);

    // The other side gave a paper address: nothing was sent to them, and the mediator was told to post it.
    const paper = await all<{ staffId: string; text: string }>(app.t.sql, sql`
      SELECT "staffId", "text" FROM "Notification" WHERE "caseId" = ${caseId} AND "kind" = 'document_paper'`);
    expect(paper).toEqual([{ staffId: mediator.id, text: expect.stringContaining("《受理通知书》需纸质送达给被申请人 王老板") }]);
    expect(paper[0]!.text).toContain("某县某镇建设路 8 号");
    expect(await all(app.t.sql, sql`SELECT 1 FROM "Delivery" WHERE "documentId" = ${doc.id}`)).toHaveLength(1);

    // Opened in time, so the check three days on sends nothing more.
    app.clock.advance(3 * DAY);
    await app.worker.sweep();
    expect(await all(app.t.sql, sql`SELECT 1 FROM "Delivery" WHERE "documentId" = ${doc.id}`)).toHaveLength(1);
  });

  it("the 送达回证 lists the real delivery events with their times; staff read each document's service per party", async () => {
    const { claimant, code, caseId } = await acceptedCase();
    const { note, link } = served(await delivered(app, "claimant"));
    const doc = await one<{ id: string }>(app.t.sql, sql`SELECT "id" FROM "Document" WHERE "caseId" = ${caseId} AND "kind" = 'acceptance_notice'`);
    const party = await one<{ id: string }>(app.t.sql, sql`SELECT "id" FROM "Party" WHERE "caseId" = ${caseId} AND "role" = 'claimant'`);
    const sentAt = app.clock.now();
    app.clock.advance(90 * 60_000); // opened an hour and a half later,
    await fetch(`${app.url}${new URL(link!).pathname}`);
    app.clock.advance(5 * 60_000); // and acknowledged five minutes after that
    claimant.last = [note!];
    await claimant.press("收到");

    const listed = (await (await fetch(`${app.url}/api/staff/cases/${code}/documents`)).json()) as {
      documents: { id: string; kind: string; service: { partyId: string; events: { at: string; event: string }[] }[] }[];
    };
    const mine = listed.documents.find((x) => x.kind === "acceptance_notice")!.service.find((x) => x.partyId === party.id)!;
    expect(mine.events.map((e) => e.event)).toEqual(["已发送", "已送达（网页已接收）", "已打开文书", "已确认收到（点击「收到」）"]);
    expect(mine.events.map((e) => e.at)).toEqual([sentAt, sentAt, new Date(sentAt.getTime() + 90 * 60_000), new Date(sentAt.getTime() + 95 * 60_000)].map((d) => d.toISOString()));

    const res = await fetch(`${app.url}/api/staff/documents/${doc.id}/proof`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ partyId: party.id, staffId: "duty_labor" }),
    });
    expect(res.status).toBe(201);
    const proof = ((await res.json()) as { document: { id: string; file: string; number: string } }).document;
    expect(proof.number).toMatch(new RegExp(`^${code}-SL-1-HZ-\\d$`)); // the notice, its version, the party's place
    const text = pdfText(Buffer.from(await (await fetch(`${app.url}${proof.file}`)).arrayBuffer()));
    expect(text).toContain("送达回证");
    expect(text).toContain(code);
    expect(text).toContain("受理通知书");
    // The acceptance at 10:00 Beijing time, opened at 11:30, acknowledged at 11:35, each as recorded.
    for (const line of ["已发送", "已送达", "已打开文书", "已确认收到"]) expect(text).toContain(line);
    for (const time of ["10:00:00", "11:30:00", "11:35:00"]) expect(text).toContain(time);

    // Asked again with nothing new: the same proof, not another.
    const again = await fetch(`${app.url}/api/staff/documents/${doc.id}/proof`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ partyId: party.id, staffId: "duty_labor" }),
    });
    expect(((await again.json()) as { document: { id: string } }).document.id).toBe(proof.id);
  });

  it("a centre's template is checked when saved: a missing or unknown field is refused, naming it; a good one is used from the next document", async () => {
    const put = (template: unknown, staffId = "supervisor") =>
      fetch(`${app.url}/api/staff/templates/acceptance_notice`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ staffId, template }),
      });
    const supervisor = await one<{ id: string }>(app.t.sql, sql`SELECT "id" FROM "Staff" WHERE "role" = 'supervisor' ORDER BY "id" LIMIT 1`);
    const { template } = (await (await fetch(`${app.url}/api/staff/templates/acceptance_notice/default`)).json()) as { template: { blocks: { type: string; text?: string }[]; centreName: string } };

    // Without the mediator's name (a required field): refused, and the message names it.
    const withoutMediator = { ...template, blocks: template.blocks.map((b) => (b.text ? { ...b, text: b.text.replaceAll("{mediator.name}", "调解员") } : b)) };
    const missing = await put(withoutMediator, supervisor.id);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("mediator.name");

    const unknown = await put({ ...template, blocks: [...template.blocks, { type: "paragraph", text: "请携带{claimant.idCard}" }] }, supervisor.id);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("claimant.idCard");

    // A mediator may not change the centre's wording.
    expect((await put(template, "duty_labor")).status).toBe(403);

    const changed = { ...template, centreName: "青山县矛盾纠纷多元化解中心" };
    const ok = await put(changed, supervisor.id);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ kind: "acceptance_notice", version: 1 });
    expect(await all(app.t.sql, sql`SELECT 1 FROM "Document"`)).toHaveLength(0);

    const { caseId } = await acceptedCase();
    const doc = await one<{ templateVersion: number; fileRef: string }>(app.t.sql, sql`
      SELECT "templateVersion", "fileRef" FROM "Document" WHERE "caseId" = ${caseId} AND "kind" = 'acceptance_notice'`);
    expect(doc.templateVersion).toBe(1);
    expect(pdfText(fs.readFileSync(path.join(app.t.dir, doc.fileRef)))).toContain("青山县矛盾纠纷多元化解中心");
  });

  it("我的文书 lists what was served with fresh links; 要纸质文书 stops e-service, tells the mediator, and the next notice goes on paper", async () => {
    const { claimant, code, caseId, mediator } = await acceptedCase();
    await claimant.say("我的文书");
    expect(claimant.text()).toContain("发给您的文书");
    const item = claimant.last.find((o): o is Extract<Outbound, { kind: "link" }> => o.kind === "link")!;
    expect(item.text).toContain(`《受理通知书》案件 ${code}`);
    expect((await fetch(`${app.url}${new URL(item.url).pathname}`)).status).toBe(200);

    await claimant.say("以后给我寄纸质的吧，不要电子送达");
    expect(claimant.text()).toContain(`案件 ${code} 以后的文书改为纸质送达`);
    expect(await one(app.t.sql, sql`SELECT "serviceChannel" FROM "Party" WHERE "caseId" = ${caseId} AND "role" = 'claimant'`)).toEqual({ serviceChannel: "post" });
    const told = await all<{ staffId: string; text: string }>(app.t.sql, sql`
      SELECT "staffId", "text" FROM "Notification" WHERE "caseId" = ${caseId} AND "kind" = 'document_paper' AND "text" LIKE ${"%撤回%"}`);
    expect(told).toEqual([{ staffId: mediator.id, text: expect.stringContaining("撤回了电子送达的同意") }]);

    // Mediation fails: the termination notice is not sent to the chat; staff are told to post it.
    const before = (await delivered(app, "claimant")).length;
    await closeCase(app.cases, { caseId, outcome: "failed", actor: `staff:${mediator.id}` });
    await app.worker.sweep();
    const after = await delivered(app, "claimant");
    expect(after.slice(before).some((o) => o.kind === "file")).toBe(false);
    const paper = await all<{ text: string }>(app.t.sql, sql`
      SELECT "text" FROM "Notification" WHERE "caseId" = ${caseId} AND "kind" = 'document_paper' AND "text" LIKE ${"%终止调解通知书%"}`);
    expect(paper.map((p) => p.text)).toEqual(expect.arrayContaining([expect.stringContaining("需纸质送达给申请人")]));
  });

  it("a tampered link gets a page and no document; an expired one says so; neither records an opening", async () => {
    const { caseId } = await acceptedCase();
    const { link } = served(await delivered(app, "claimant"));
    const pathname = new URL(link!).pathname;
    const tampered = pathname.slice(0, -3) + (pathname.endsWith("AAA") ? "BBB" : "AAA");
    const bad = await fetch(`${app.url}${tampered}`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("text/html");
    const page = await bad.text();
    expect(page).toContain("这个链接无效");
    expect(page).not.toContain("%PDF");

    app.clock.advance(31 * DAY);
    const late = await fetch(`${app.url}${pathname}`);
    expect(late.status).toBe(410);
    expect(await late.text()).toContain("已过期");
    const opened = await all(app.t.sql, sql`
      SELECT 1 FROM "Delivery" WHERE "caseId" = ${caseId} AND "documentId" IS NOT NULL AND "openedAt" IS NOT NULL`);
    expect(opened).toHaveLength(0);
  });

  it("not opened within three days: sent again once with a plain reminder, and the mediator is told", async () => {
    const { code, caseId, mediator } = await acceptedCase();
    const doc = await one<{ id: string }>(app.t.sql, sql`SELECT "id" FROM "Document" WHERE "caseId" = ${caseId} AND "kind" = 'acceptance_notice'`);
    app.clock.advance(3 * DAY);
    await app.worker.sweep();
    const again = (await delivered(app, "claimant")).filter((o) => o.kind === "text" && o.text.includes("还没有打开"));
    expect(again).toHaveLength(1);
    expect((again[0] as { text: string }).text).toContain(code);
    const files = await all(app.t.sql, sql`SELECT "id" FROM "Delivery" WHERE "documentId" = ${doc.id} AND "recipient" = 'claimant'`);
    expect(files).toHaveLength(2);
    const told = await all<{ staffId: string; text: string }>(app.t.sql, sql`
      SELECT "staffId", "text" FROM "Notification" WHERE "caseId" = ${caseId} AND "kind" = 'document_unopened'`);
    expect(told).toEqual([{ staffId: mediator.id, text: expect.stringContaining("没有打开《受理通知书》，已重新发送") }]);

    // The sweep running again sends nothing more.
    await app.worker.sweep();
    expect(await all(app.t.sql, sql`SELECT "id" FROM "Delivery" WHERE "documentId" = ${doc.id}`)).toHaveLength(2);
  });
});
