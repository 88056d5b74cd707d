import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DevhostStateFile, ensureDevhostKey, readDevhostKey, readDevhostStorage, writeDevhostState } from "../../devhost/state-files.js";

const folder = () => mkdtempSync(join(tmpdir(), "lucius-state-"));

describe("devhost's state folder", () => {
  it("makes the key once, owner-only, and keeps it across starts", () => {
    const dir = folder();
    const key = ensureDevhostKey(dir);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(dir, DevhostStateFile.hostKey)).mode & 0o777).toBe(0o600);
    expect(ensureDevhostKey(dir)).toBe(key);
    writeDevhostState(dir, { url: "http://127.0.0.1:7071", key });
    expect(readDevhostKey(dir)).toBe(key);
  });

  it("records the storage of its own Azurite for the API on the same port only", () => {
    const dir = folder();
    writeDevhostState(dir, { url: "http://127.0.0.1:7071", key: "k", ownStorage: "UseDevelopmentStorage=true" });
    expect(statSync(join(dir, DevhostStateFile.storage)).mode & 0o777).toBe(0o600);
    expect(readDevhostStorage(dir, "http://localhost:7071")).toBe("UseDevelopmentStorage=true");
    expect(readDevhostStorage(dir, "http://localhost:7072")).toBeUndefined();
  });

  it("forgets the storage when the next devhost runs on storage it was given", () => {
    const dir = folder();
    writeDevhostState(dir, { url: "http://127.0.0.1:7071", key: "k", ownStorage: "UseDevelopmentStorage=true" });
    writeDevhostState(dir, { url: "http://127.0.0.1:7071", key: "k" });
    expect(readDevhostStorage(dir, "http://127.0.0.1:7071")).toBeUndefined();
    writeFileSync(join(dir, DevhostStateFile.storage), "not json");
    expect(readDevhostStorage(dir, "http://127.0.0.1:7071")).toBeUndefined();
    expect(readFileSync(join(dir, DevhostStateFile.hostKey), "utf8").trim()).toBe("k");
  });
});
