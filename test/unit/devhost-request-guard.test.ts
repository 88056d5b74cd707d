import { describe, expect, it } from "vitest";
import { isLoopbackHost } from "../../devhost/http/request-guard.js";

describe("isLoopbackHost", () => {
  it("gives each Host the same verdict however often it is asked, past the cache's size and after it is emptied", () => {
    const refused = ["evil.example", "127.0.0.1.nip.io", "[::2]:7071", "10.0.0.5", "user@127.0.0.1"];
    const accepted = ["localhost", "LOCALHOST:1234", "127.0.0.1", "127.1.2.3:80", "[::1]", "[::1]:7071"];
    const many = Array.from({ length: 150 }, (_, i) => (i % 2 === 0 ? `127.0.0.${i % 250}:${7000 + i}` : `host${i}.example:${7000 + i}`));
    for (let round = 0; round < 3; round++) {
      for (const host of refused) expect(isLoopbackHost(host), host).toBe(false);
      for (const host of accepted) expect(isLoopbackHost(host), host).toBe(true);
      many.forEach((host, i) => expect(isLoopbackHost(host), host).toBe(i % 2 === 0));
    }
  });
});
