import { describe, expect, it } from "vitest";
import { newId, orderedId } from "./ids.js";

describe("newId", () => {
  it("is a version-7 UUID that sorts by creation time and does not repeat", () => {
    const before = Date.now();
    const ids = Array.from({ length: 1000 }, () => newId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    const ms = parseInt(ids[0]!.replace(/-/g, "").slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now());
    // Ids from a later millisecond sort after earlier ones.
    const later = ids.filter((id) => id.slice(0, 13) > ids[0]!.slice(0, 13));
    for (const id of later) expect(id > ids[0]!).toBe(true);
  });
});

describe("orderedId", () => {
  it("sorts in the order it was made, many within one millisecond", () => {
    const ids = Array.from({ length: 5000 }, () => orderedId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
