import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../lib/paths.js";

describe("npm run demo (node dist/devhost/demo.js)", () => {
  it("runs the sample invoice through OCR->EMBEDDING->SIS and prints what each step found, exit 0", async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(packageRoot, "dist/devhost/demo.js")],
        { cwd: packageRoot, timeout: 115_000, env: { ...process.env, NO_COLOR: "1" } },
        (error, out, err) => resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout: out, stderr: err }),
      );
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/\] sis SIS SUCCEEDED \(attempt 1\)/);
    expect(stdout).toMatch(/\] job \S+ SUCCEEDED in /);
    // The OCR text, the embedding's shape and the analysis, as read back from the step outputs.
    expect(stdout).toMatch(/^ {2}Bill to: Globex Corporation$/m);
    expect(stdout).toMatch(/^Embedding: [1-9]\d* chunks? × 256 dimensions$/m);
    expect(stdout).toMatch(/^ {2}amounts: +\$1,234\.56 \(USD 1234\.56\)$/m);
    expect(stdout).toMatch(/^ {2}dates: +March 3, 2026 \(2026-03-03\)$/m);
    expect(stdout).toMatch(/^ {2}summary: +\S/m);
    expect(stdout).toMatch(/^ {2}keywords: .*globex/m);
    expect(stdout).toMatch(/done; stopping devhost$/m);
  }, 120_000);
});
