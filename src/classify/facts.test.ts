import { describe, expect, it } from "vitest";
import { countClaimants, extractFacts } from "./facts.js";

describe("facts read out of a story", () => {
  it("finds the other side, the place, since when and the sum", () => {
    expect(extractFacts("我在城东工地干了三个月，老板王某一直拖欠工资，一共欠我一万二")).toMatchObject({
      parties: ["老板王某"],
      place: "城东工地",
      amountYuan: 12000,
    });
    expect(extractFacts("去年十月开始包工头老李就不给钱了").parties).toEqual(["包工头老李"]);
    expect(extractFacts("去年十月开始包工头老李就不给钱了").since).toBe("去年十月");
    expect(extractFacts("楼上邻居家漏水，泡坏了我家天花板").parties).toEqual(["楼上邻居"]);
    expect(extractFacts("房东张阿姨不退押金").parties).toEqual(["房东张阿姨"]);
    expect(extractFacts("My landlord keeps my deposit").parties).toEqual(["landlord"]);
    expect(extractFacts("住在幸福小区，物业乱收费").place).toBe("幸福小区");
    expect(extractFacts("已经三个月了还不给工资").since).toBe("已经三个月了");
  });

  it("does not invent a place from 'our village' or a fact from nothing", () => {
    expect(extractFacts("我们村的地被占了").place).toBeUndefined();
    expect(extractFacts("很烦，不知道怎么办")).toEqual({});
  });

  it("counts a crew and reads their names", () => {
    expect(extractFacts("我们一共十几个工友，老板欠了半年工资")).toMatchObject({ claimantCount: 10 });
    expect(countClaimants("12人，张三、李四、王五", true)).toEqual({ count: 12, names: ["张三", "李四", "王五"] });
    expect(countClaimants("张三、李四", true)).toEqual({ count: 2, names: ["张三", "李四"] });
    expect(countClaimants("二十多个", true).count).toBe(20);
    // a family of five is not five claimants
    expect(extractFacts("我们家五口人住在这里").claimantCount).toBeUndefined();
  });
});
