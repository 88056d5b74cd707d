import { describe, expect, it } from "vitest";
import { EventKeys, createdEventRowKey, idempotencyRowKey, listingRowKey, keyPart, stepRowKey } from "../../lib/ledger/keys.js";
import { fromClientToken, toClientToken } from "../../lib/ledger/continuation.js";
import { InvalidContinuationError, InvalidKeyError } from "../../lib/ledger/index.js";

/** Characters Table Storage forbids in PartitionKey/RowKey. */
const isForbidden = (c: string) => "/\\#?".includes(c) || c.charCodeAt(0) <= 0x1f || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f);

describe("keyPart", () => {
  it("keeps ordinary ids readable", () => {
    expect(keyPart("tenant-a.b_c:1", "x")).toBe("tenant-a.b_c:1");
  });

  it.each(["a/b", "a\\b", "a#b", "a?b", "a\u0001b", "a\u007fb", "ünïcødé", "emoji 😀", "job|x", "100%"])("escapes %j into a legal key", (value) => {
    const key = keyPart(value, "x");
    expect([...key].filter(isForbidden)).toEqual([]);
    expect(key).not.toBe(value);
  });

  it("is injective: escaping cannot make two values collide", () => {
    const values = ["a/b", "a!002fb", "a!b", "a!!b", "ab", "a|b", "a!007cb"];
    const keys = values.map((v) => keyPart(v, "x"));
    expect(new Set(keys).size).toBe(values.length);
  });

  it("rejects empty and overlong values", () => {
    expect(() => keyPart("", "tenant_id")).toThrow(InvalidKeyError);
    expect(() => keyPart("x".repeat(401), "tenant_id")).toThrow(InvalidKeyError);
  });
});

describe("row keys", () => {
  it("orders listing rows newest first", () => {
    const older = listingRowKey(Date.parse("2024-01-01T00:00:00Z"), "b");
    const newer = listingRowKey(Date.parse("2024-01-01T00:00:00.001Z"), "a");
    expect([older, newer].sort()).toEqual([newer, older]);
  });

  it("orders steps by index, even past 9", () => {
    const keys = [10, 2, 0, 1].map((i) => stepRowKey(i, `s${i}`));
    expect([...keys].sort()).toEqual([0, 1, 2, 10].map((i) => stepRowKey(i, `s${i}`)));
  });

  it("hashes idempotency keys into fixed-size legal keys", () => {
    const key = idempotencyRowKey("a/b#c?d\\e");
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(idempotencyRowKey("a/b#c?d\\e")).toBe(key);
    expect(idempotencyRowKey("a/b#c?d\\f")).not.toBe(key);
  });

  it("gives events strictly increasing, unique keys within a millisecond and across a clock step back", () => {
    const keys = new EventKeys();
    const made = [...Array.from({ length: 500 }, () => keys.next(1_000)), keys.next(999), keys.next(1_001)];
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
  });

  it("names its writer in every key, so two writers' keys of one millisecond and sequence differ", () => {
    const [one, two] = [new EventKeys(), new EventKeys()];
    const writerOf = (key: string) => key.split(".")[2];
    expect(writerOf(one.next(1_000))).toMatch(/^[0-9a-f]{12}$/);
    expect(writerOf(one.next(2_000))).toBe(writerOf(one.next(1_000)));
    expect(two.next(1_000)).not.toBe(new EventKeys().next(1_000));
  });

  it("sorts JOB_CREATED before any other event of its millisecond", () => {
    const other = new EventKeys().next(5_000);
    expect(createdEventRowKey(5_000) < other).toBe(true);
  });
});

describe("continuation tokens", () => {
  const sdkToken = (pk: string, rk?: string) => Buffer.from(JSON.stringify({ nextPartitionKey: pk, ...(rk ? { nextRowKey: rk } : {}) })).toString("base64");
  const decode = (sdk: string) => JSON.parse(Buffer.from(sdk, "base64").toString());

  it("round-trips the service's opaque next keys and is base64url", () => {
    const ours = toClientToken(sdkToken("1!8!dGVuYW50", "1!12!MDAwMDE-"), "tenant");
    expect(ours).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decode(fromClientToken(ours!, "tenant"))).toEqual({ nextPartitionKey: "1!8!dGVuYW50", nextRowKey: "1!12!MDAwMDE-" });
    expect(decode(fromClientToken(toClientToken(sdkToken("cA=="), "tenant")!, "tenant"))).toEqual({ nextPartitionKey: "cA==" });
  });

  it("has no token when there is no next page", () => {
    expect(toClientToken(undefined, "tenant")).toBeUndefined();
  });

  it("rejects a token issued for another partition", () => {
    const theirs = toClientToken(sdkToken("x", "y"), "other")!;
    expect(() => fromClientToken(theirs, "tenant")).toThrow(/different listing/);
  });

  it.each([
    "",
    "not base64!",
    Buffer.from("not json").toString("base64url"),
    Buffer.from("{}").toString("base64url"),
    Buffer.from('["tenant"]').toString("base64url"),
    Buffer.from('["tenant", "", null]').toString("base64url"),
    Buffer.from('["tenant", "pk", 5]').toString("base64url"),
    Buffer.from('["tenant", 1, "rk"]').toString("base64url"),
    "A".repeat(5000),
  ])("rejects %j", (token) => {
    expect(() => fromClientToken(token, "tenant")).toThrow(InvalidContinuationError);
  });
});
