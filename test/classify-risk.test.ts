import { describe, expect, it } from "vitest";
import { detectRiskFlags, parseAmountYuan } from "../src/classify/risk.js";
import type { RiskFlag } from "../src/cases/types.js";

const has = (text: string, flag: RiskFlag) => detectRiskFlags(text).includes(flag);

describe("parseAmountYuan", () => {
  it.each([
    ["他欠我5万", 50_000],
    ["赔了十万元", 100_000],
    ["一共120000元", 120_000],
    ["借了1.5万", 15_000],
    ["借给他一万二", 12_000],
    ["十几万的工程款", 100_000],
    ["几十万的补偿", 100_000],
    ["二十来万", 200_000],
    ["3,500块", 3_500],
    ["押金￥8000", 8_000],
    ["RMB 20000", 20_000],
    ["三千五百块", 3_500],
    ["两万五千块钱", 25_000],
    ["12万多", 120_000],
    ["5w", 50_000],
    ["一百零五元", 105],
    ["先借了2万，后来又借了30万", 300_000],
  ])("%s → %d", (text, yuan) => {
    expect(parseAmountYuan(text)).toBe(yuan);
  });

  it.each([
    "万一他不还怎么办",
    "千万别告诉他",
    "2023年3月开始的",
    "我电话13812345678",
    "小区有10万平方米",
    "跑了十几趟",
    "开了5km",
    "住在3号楼",
    "三个月没发工资",
  ])("finds no sum in %s", (text) => {
    expect(parseAmountYuan(text)).toBeUndefined();
  });
});

describe("detectRiskFlags", () => {
  it.each([
    "我们十几个工友一起去讨薪",
    "几十个工人被欠了半年工资",
    "我们村十几户的地都被占了",
    "30多名工人堵在公司门口",
    "业主们联名要求换物业",
    "全村的人都不同意这个补偿方案",
    "二十来户村民的承包地被收回",
    "多名家长的学费没退",
  ])("group_claim: %s", (text) => {
    expect(has(text, "group_claim")).toBe(true);
  });

  it.each([
    "我们两个人一起去的",
    "一家人都不同意",
    "很多人说这个物业不好",
    "跑了五家医院都没看好",
    "借了他1000人民币",
    "我老公一个人在外地打工",
    "十几年前的事了",
  ])("no group_claim: %s", (text) => {
    expect(has(text, "group_claim")).toBe(false);
  });

  it("wage_arrears_group needs both wages owed and a group", () => {
    expect(has("包工头拖欠我们十几个工友三个月工资", "wage_arrears_group")).toBe(true);
    expect(has("工友们的工钱一分没拿到", "wage_arrears_group")).toBe(true);
    expect(has("我们班组二十多个人工资没发", "wage_arrears_group")).toBe(true);
    expect(has("老板拖欠我三个月工资", "wage_arrears_group")).toBe(false);
    expect(has("我们十几户的地被占了", "wage_arrears_group")).toBe(false);
  });

  it.each([
    "再不还钱我就要砍他",
    "他说要弄死我全家",
    "他昨天带刀来我家门口",
    "老公喝醉了打人",
    "我被他打了一顿",
    "跟他拼了，同归于尽",
    "他说要放火烧了他家",
    "要去砸了他家的店",
  ])("violence: %s", (text) => {
    expect(has(text, "violence")).toBe(true);
  });

  it.each([
    "我想打官司",
    "打电话一直不接",
    "我在外面打工",
    "打算下个月去法院",
    "他打了我好几个电话",
    "大数据杀熟，比别人贵",
    "商场打折的时候买的",
    "医生说要动手术",
    "拼命工作也还不上房贷",
    "怕被公司打击报复",
    "手机电池炸了",
  ])("no violence: %s", (text) => {
    expect(has(text, "violence")).toBe(false);
  });

  it.each([
    "再要不到钱我就从楼上跳下去",
    "我真的不想活了",
    "活不下去了，想一死了之",
    "她说要喝农药",
    "老人说要去跳河",
    "实在没办法只能轻生",
  ])("self_harm: %s", (text) => {
    expect(has(text, "self_harm")).toBe(true);
  });

  it.each([
    "楼上漏水把我家泡了",
    "我想跳槽换个工作",
    "喝了医院开的药以后过敏",
    "楼上天天跳绳吵死了",
    "这药太苦了",
  ])("no self_harm: %s", (text) => {
    expect(has(text, "self_harm")).toBe(false);
  });

  it("large_sum from the text or from the extracted amount, at 100,000 yuan", () => {
    expect(has("工程款欠了十万元", "large_sum")).toBe(true);
    expect(has("借了12万多", "large_sum")).toBe(true);
    expect(has("借了9万9", "large_sum")).toBe(false);
    expect(has("欠我五千块", "large_sum")).toBe(false);
    expect(detectRiskFlags("他欠我钱", { amountYuan: 150_000 })).toContain("large_sum");
    expect(detectRiskFlags("他欠我十五万", { amountYuan: 5_000 })).not.toContain("large_sum");
  });

  it("an ordinary complaint carries no flags", () => {
    expect(detectRiskFlags("楼上装修太吵了，早上七点就开始敲")).toEqual([]);
  });
});

describe("detectRiskFlags on phrases that once tripped the rules", () => {
  it.each([
    ["林地里的树被人偷砍了", "violence"],
    ["楼上晒被子拍打灰尘", "violence"],
    ["被突然打开的车门撞倒", "violence"],
    ["楼上洗衣机一开整个楼板都在震", "group_claim"],
    ["现在全村人都在传我的闲话", "group_claim"],
    ["我们家户口上有五个人", "group_claim"],
    // Found by a session trying the web chat as residents would (issue 8).
    ["楼上是群租房，十几个人天天半夜吵", "group_claim"],
    ["隔壁出租屋一间住了八个人，天天吵", "group_claim"],
    ["对门喝醉了半夜砸门，吵得孩子睡不着", "violence"],
    ["他天天来砸门要钱", "violence"],
  ] as [string, RiskFlag][])("%s → no %s", (text, flag) => {
    expect(has(text, flag)).toBe(false);
  });
});

describe("detectRiskFlags still catches what the false-positive fixes sit next to", () => {
  it.each([
    ["我们十几个工友被包工头欠了半年工资", "group_claim"],
    ["小区住了两百多户，物业乱收费，大家集体投诉", "group_claim"],
    ["他把我家的门砸烂了", "violence"],
    ["再不还钱就砸了他家", "violence"],
  ] as [string, RiskFlag][])("%s → %s", (text, flag) => {
    expect(has(text, flag)).toBe(true);
  });
});
