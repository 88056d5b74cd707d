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
});
