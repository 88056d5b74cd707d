import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { durableClient } from "../../lib/orchestration/durable-client.js";
import { durableClientBinding } from "../../devhost/durable/client-binding.js";
import { invocationContext } from "../support/http.js";

describe("durableClient", () => {
  it("reuses one client for every invocation given the same binding payload", () => {
    const first = durableClient(invocationContext("submitCommand", durableClientBinding("http://127.0.0.1:7071", "hubone", "k1")));
    const again = durableClient(invocationContext("receiveReply", durableClientBinding("http://127.0.0.1:7071", "hubone", "k1")));
    expect(again).toBe(first);
    expect(first.taskHubName).toBe("hubone");
  });

  it("makes a client of its own for another task hub or key", () => {
    const one = durableClient(invocationContext("submitCommand", durableClientBinding("http://127.0.0.1:7071", "hubone", "k1")));
    const otherHub = durableClient(invocationContext("submitCommand", durableClientBinding("http://127.0.0.1:7071", "hubtwo", "k1")));
    const otherKey = durableClient(invocationContext("submitCommand", durableClientBinding("http://127.0.0.1:7071", "hubone", "k2")));
    expect(otherHub).not.toBe(one);
    expect(otherHub.taskHubName).toBe("hubtwo");
    expect(otherKey).not.toBe(one);
  });

  it("leaves a function without the binding to getClient's own error", () => {
    expect(() => durableClient(invocationContext("health"))).toThrow(/durable client input binding/);
  });

  it("does not follow a redirect: a raise or start answered 307 fails, and nothing reaches where it points", async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      req.on("end", () => {
        if (req.url?.startsWith("/elsewhere")) res.writeHead(202).end();
        else res.writeHead(307, { location: "/elsewhere" }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Without WEBSITE_HOSTNAME the client rewrites every URL to localhost:7071; the host (and devhost) set it.
    process.env.WEBSITE_HOSTNAME = host;
    try {
      const client = durableClient(invocationContext("receiveReply", durableClientBinding(`http://${host}`, "redirected", "k1")));
      await expect(client.raiseEvent("job-1", "reply", {})).rejects.toThrow(/307/);
      await expect(client.startNew("jobOrchestrator", { instanceId: "job-2", input: {} })).rejects.toThrow(/307/);
      expect(seen.map((request) => request.split("?")[0])).toEqual([
        "POST /runtime/webhooks/durabletask/instances/job-1/raiseEvent/reply",
        "POST /runtime/webhooks/durabletask/orchestrators/jobOrchestrator/job-2",
      ]);
    } finally {
      delete process.env.WEBSITE_HOSTNAME;
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
