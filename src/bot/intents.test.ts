import { describe, expect, it } from "vitest";
import { findCaseCode, looksEnglish, recognise, yesNo } from "./intents.js";

const kind = (text: string) => recognise(text)?.kind ?? null;

describe("plain words understood at any step", () => {
  it.each([
    // greetings and "are you there"
    ["你好", "greeting"], ["您好！", "greeting"], ["在吗", "greeting"], ["在吗？？", "greeting"], ["有人吗", "greeting"],
    ["你好，请问", "greeting"], ["hello", "greeting"], ["Hi there?", null], ["good morning", "greeting"],
    ["谢谢", "thanks"], ["谢谢你们！", "thanks"], ["thank you", "thanks"], ["好的", "ack"], ["嗯嗯", "ack"], ["ok", "ack"],
    // status in any words
    ["查一下进度", "status"], ["我的案子现在怎么样了", "status"], ["进度", "status"], ["有结果了吗", "status"],
    ["我上周登记的那个案子现在到哪一步了，一直没人联系我", "status"], ["受理了吗", "status"], ["status", "status"],
    ["what is the progress of my case", "status"], ["查询", "status"],
    // a person
    ["转人工", "handoff"], ["找人工", "handoff"], ["人工", "handoff"], ["我要找工作人员", "handoff"], ["给我打个电话", "handoff"],
    ["can I talk to a person", "handoff"], ["机器人听不懂", "handoff"],
    // cancel, in the words people use
    ["不想登记了", "cancel"], ["我不想登记了", "cancel"], ["算了不弄了", "cancel"], ["算了", "cancel"], ["取消", "cancel"],
    ["不办了", "cancel"], ["cancel", "cancel"], ["never mind", "cancel"],
    ["上一步", "back"], ["返回", "back"], ["填错了", "back"], ["back", "back"],
    ["帮助", "help"], ["怎么用", "help"], ["help", "help"], ["中文", "language"], ["English", "language"],
    ["怎么预约视频调解", "booking"], ["能视频吗", "booking"], ["can I book a video mediation", "booking"],
    ["能把受理通知书发给我吗", "documents"], ["我要纸质文书", "paper_service"], ["不要电子送达", "paper_service"], ["paper copies please", "paper_service"], ["要通知书", "documents"], ["撤回案件", "withdraw"], ["我要登记", "new"],
  ])("%s → %s", (text, expected) => {
    expect(kind(text)).toBe(expected);
  });

  it.each([
    // stories are never intents, however they start
    "你好，我老板拖欠我三个月工资怎么办",
    "在吗？楼上天天漏水，找了物业也不管",
    "投诉了物业好几次都没有结果，电梯还是坏的",
    "对方说算了不赔了，我不同意",
    "我申请了劳动仲裁，公司还是不给钱",
    "老板欠钱有没有人管",
    "他把我的视频发到网上到处传，我要告他",
    "he posted a video of me online without asking",
    "我老婆要离婚，我不想离",
    "物业不处理漏水的问题",
    "老王",
    "幸福小区",
    "三个月了",
  ])("a story or an answer is not an intent: %s", (text) => {
    expect(recognise(text)).toBeNull();
  });

  it("finds a pasted case code in any case and spacing", () => {
    expect(findCaseCode("我的编号是 OD-20261123-0007，帮我查一下")).toBe("OD-20261123-0007");
    expect(findCaseCode("od-20261123-0007")).toBe("OD-20261123-0007");
    expect(findCaseCode("OD 20261123 0007")).toBe("OD-20261123-0007");
    expect(findCaseCode("ＯＤ－２０２６１１２３－０００７")).toBe("OD-20261123-0007");
    expect(recognise("OD-20261123-0007")).toEqual({ kind: "case_code", code: "OD-20261123-0007" });
    expect(findCaseCode("欠我 20261123 块")).toBeUndefined();
  });

  it("reads typed yes and no", () => {
    for (const y of ["是", "对的", "嗯", "好的", "可以", "yes", "OK"]) expect(yesNo(y)).toBe(true);
    for (const n of ["不是", "不对", "否", "no"]) expect(yesNo(n)).toBe(false);
    expect(yesNo("老板王某")).toBeUndefined();
  });

  it("tells English from Chinese", () => {
    expect(looksEnglish("My boss has not paid me for three months")).toBe(true);
    expect(looksEnglish("老板欠我工资 3 months")).toBe(false);
    expect(looksEnglish("OK")).toBe(false);
  });
});
