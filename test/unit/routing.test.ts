import { describe, expect, it } from "vitest";
import { crc32, laneFor, route, routingKey, RoutingError } from "../../lib/routing.js";
import { loadContracts } from "../../lib/contracts/index.js";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("crc32", () => {
  it.each([
    ["", 0x00000000],
    ["a", 0xe8b7be43],
    ["123456789", 0xcbf43926],
    ["The quick brown fox jumps over the lazy dog", 0x414fa339],
  ])("crc32(%j) is the IEEE check value", (text, expected) => {
    expect(crc32(bytes(text))).toBe(expected);
  });

  it("hashes the UTF-8 bytes of non-ASCII text", () => {
    // "é" is C3 A9 in UTF-8; its CRC differs from the single Latin-1 byte E9.
    expect(crc32(bytes("é"))).toBe(crc32(Uint8Array.of(0xc3, 0xa9)));
    expect(crc32(bytes("é"))).not.toBe(crc32(Uint8Array.of(0xe9)));
    expect(crc32(bytes("müller:文档"))).toBe(crc32(Buffer.from("müller:文档", "utf8")));
  });
});

describe("routingKey", () => {
  it("lowercases and trims the tenant for DEFAULT (and when mode is absent)", () => {
    expect(routingKey({ tenant_id: "  Acme " })).toBe("acme");
    expect(routingKey({ tenant_id: "ACME", mode: "DEFAULT", doc_id: "Doc-1" })).toBe("acme");
  });

  it("joins tenant and document with ':' for BURST", () => {
    expect(routingKey({ tenant_id: " Acme", mode: "BURST", doc_id: " Doc-1 " })).toBe("acme:doc-1");
    expect(routingKey({ tenant_id: "MÜLLER", mode: "BURST", doc_id: "Straße" })).toBe("müller:straße");
  });

  it("refuses BURST without doc_id", () => {
    expect(() => routingKey({ tenant_id: "a", mode: "BURST" })).toThrow(RoutingError);
  });

  it("cannot make a DEFAULT key equal to a BURST key for schema-valid tenant ids", () => {
    const contracts = loadContracts();
    const base = { request_type: "OCR", input_ref: "https://x/i", output_ref: "https://x/o", payload: {}, schema_version: "v1" };
    // The only way to collide would be a tenant id containing the delimiter — the schema rejects it.
    expect(contracts.validateEnvelope({ ...base, tenant_id: "acme:doc-1" }).ok).toBe(false);
    const defaults = ["acme", "acme-doc-1", "acmedoc-1"].map((tenant_id) => routingKey({ tenant_id }));
    const bursts = [
      ["acme", "doc-1"],
      ["acme-doc", "1"],
      ["acmedoc", "-1"],
    ].map(([tenant_id, doc_id]) => routingKey({ tenant_id: tenant_id!, mode: "BURST", doc_id }));
    for (const key of defaults) expect(bursts).not.toContain(key);
    expect(new Set(bursts).size).toBe(bursts.length);
  });
});

describe("laneFor and route", () => {
  it("is CRC32 of the key modulo the lane count", () => {
    expect(laneFor("123456789", 16)).toBe(0xcbf43926 % 16);
    expect(laneFor("123456789", 1000)).toBe(0xcbf43926 % 1000);
    expect(laneFor("anything", 1)).toBe(0);
  });

  // Values from an independent CRC-32 (Python's zlib): a lane recorded on a step must never move.
  it.each([
    ["acme", 14],
    ["acme:doc-1", 14],
    ["tenant-a", 11],
    ["contoso:invoice-2026-001", 7],
    ["müller:文档", 12],
  ])("puts %j in lane %i of 16", (key, lane) => {
    expect(laneFor(key, 16)).toBe(lane);
  });

  it("routes an envelope by its key", () => {
    const key = "acme:doc-1";
    expect(route({ tenant_id: "Acme", mode: "BURST", doc_id: "DOC-1" }, 16)).toEqual({ routing_key_used: key, lane: crc32(bytes(key)) % 16 });
    expect(route({ tenant_id: "Acme" }, 16)).toEqual({ routing_key_used: "acme", lane: crc32(bytes("acme")) % 16 });
  });

  it("spreads BURST documents of one tenant over lanes", () => {
    const lanes = new Set(Array.from({ length: 200 }, (_, i) => route({ tenant_id: "acme", mode: "BURST", doc_id: `doc-${i}` }, 16).lane));
    expect(lanes.size).toBe(16);
  });

  it.each([0, -1, 1.5, Number.NaN])("rejects %s lanes", (lanes) => {
    expect(() => laneFor("a", lanes)).toThrow(RoutingError);
  });
});
