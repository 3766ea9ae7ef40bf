import { describe, expect, it } from "vitest";
import { cjkFont, gb2312Hanzi } from "./font.js";

describe("the embedded CJK font", () => {
  it("has a glyph for every hanzi of GB 2312", () => {
    const hanzi = gb2312Hanzi();
    expect(hanzi).toHaveLength(6763);
    expect(hanzi[0]).toBe("啊");
    expect(hanzi.at(-1)).toBe("齄");
    const font = cjkFont();
    const missing = hanzi.filter((ch) => !font.hasGlyphForCodePoint(ch.codePointAt(0)!));
    expect(missing).toEqual([]);
  });

  it("covers the punctuation and Latin the documents use", () => {
    const font = cjkFont();
    const missing = [..."，。：；、（）《》“”—…·OD-0123456789ABCZaz@/_?=&%"].filter((ch) => !font.hasGlyphForCodePoint(ch.codePointAt(0)!));
    expect(missing).toEqual([]);
  });
});
