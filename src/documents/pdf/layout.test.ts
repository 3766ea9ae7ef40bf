import { describe, expect, it } from "vitest";
import { breakLines, textWidth } from "./layout.js";

describe("Chinese line breaking", () => {
  const size = 12;
  const width = 20 * size; // twenty hanzi a line

  it("fills lines to the width, never past it, and keeps a case code or a link whole when it fits", () => {
    const text = "案件编号为OD-20261123-0007，查询进度、补充材料或与本中心联系时，请提供此编号。".repeat(3);
    const lines = breakLines(text, size, width);
    for (const l of lines) expect(l.width).toBeLessThanOrEqual(width + 0.01);
    expect(lines.some((l) => l.text.includes("OD-20261123-0007"))).toBe(true);
    expect(lines.filter((l) => /OD-2026\d*$/.test(l.text))).toEqual([]);
    expect(lines.map((l) => l.text).join("")).toBe(text);
  });

  it("does not end a paragraph on a line of one character", () => {
    // Twenty-one hanzi and a full stop: greedy filling would leave "费。" alone; the line before gives it company.
    const text = `${"物".repeat(20)}费。`;
    const lines = breakLines(text, size, width);
    expect(lines.map((l) => l.text)).toEqual(["物".repeat(19), "物费。"]);
    expect(lines.at(-1)!.last).toBe(true);
  });

  it("cuts a link longer than a line where it meets the edge", () => {
    const url = `https://onedoor.example.gov.cn/join/${"a".repeat(200)}`;
    const lines = breakLines(url, size, width);
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(textWidth(l.text, size)).toBeLessThanOrEqual(width + 0.01);
    expect(lines.map((l) => l.text).join("")).toBe(url);
  });
});
