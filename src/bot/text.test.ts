import { describe, expect, it } from "vitest";
import { hasStory, parseContact, parsePhone } from "./text.js";

describe("what residents type for contact details", () => {
  it.each([
    ["王师傅 13800001234", { name: "王师傅", phone: "13800001234" }],
    ["我叫李娟，电话0371-66123456", { name: "李娟", phone: "0371-66123456" }],
    ["+86 139 1234 5678 张三", { name: "张三", phone: "13912345678" }],
    ["13912345678", { phone: "13912345678" }],
    ["赵六", { name: "赵六" }],
    ["My name is Li Ming, phone 13800001234", { name: "Li Ming", phone: "13800001234" }],
    ["王强 1391234567", { name: "王强", badPhone: true }], // ten digits
    ["0371-661234", { badPhone: true }],
  ])("%s", (text, expected) => {
    expect(parseContact(text)).toEqual(expected);
  });

  it("normalises mobiles and landlines", () => {
    expect(parsePhone("138-0000-1234")).toBe("13800001234");
    expect(parsePhone("(0371) 66123456")).toBe("0371-66123456");
    expect(parsePhone("12345678")).toBeUndefined();
  });

  it("tells a story from a word", () => {
    expect(hasStory("老板不给钱")).toBe(true);
    expect(hasStory("my boss did not pay me")).toBe(true);
    expect(hasStory("好的")).toBe(false);
    expect(hasStory("???")).toBe(false);
  });
});
