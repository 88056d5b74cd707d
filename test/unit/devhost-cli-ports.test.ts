import { describe, expect, it } from "vitest";
import { CliUsageError, parseArgs } from "../../devhost/cli-args.js";

const app = ["--app", "dist/functions/a.js"];

describe("devhost --azurite-ports", () => {
  it("takes one port for three consecutive ones, three ports as given, and 0 for free ones", () => {
    expect(parseArgs([...app, "--azurite-ports", "20000"], "/").azuritePorts).toEqual({ blob: 20000, queue: 20001, table: 20002 });
    expect(parseArgs([...app, "--azurite-ports", "1,5,9"], "/").azuritePorts).toEqual({ blob: 1, queue: 5, table: 9 });
    expect(parseArgs([...app, "--azurite-ports", "0"], "/").azuritePorts).toEqual({ blob: 0, queue: 0, table: 0 });
    expect(parseArgs(app, "/").azuritePorts).toBeUndefined();
  });

  it("refuses malformed ports, and ports with a connection string (devhost starts no Azurite then)", () => {
    for (const bad of ["x", "1,2", "65534", "1,2,70000", "-1"]) {
      expect(() => parseArgs([...app, "--azurite-ports", bad], "/"), bad).toThrow(CliUsageError);
    }
    expect(() => parseArgs([...app, "--azurite", "memory", "--azurite-ports", "0"], "/")).toThrow(/on-disk Azurite only/);
  });
});
