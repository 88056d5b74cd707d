import { describe, expect, it } from "vitest";
import { compileSqlFilter, EmulatorError, type FilterableMessage } from "../../devhost/servicebus/index.js";
import { defaultTopology, resolveTopology } from "../../devhost/servicebus/topology.js";

const message = (applicationProperties: FilterableMessage["applicationProperties"], extra: Partial<FilterableMessage> = {}): FilterableMessage => ({
  messageId: "m-1",
  applicationProperties,
  ...extra,
});

describe("compileSqlFilter", () => {
  const cases: Array<[string, FilterableMessage, boolean]> = [
    ["step_type = 'OCR'", message({ step_type: "OCR" }), true],
    ["step_type = 'OCR'", message({ step_type: "SIS" }), false],
    ["step_type = 'OCR'", message({}), false],
    ["step_type <> 'OCR'", message({ step_type: "SIS" }), true],
    ["step_type != 'OCR'", message({}), false],
    ["lane > 3 AND lane <= 7", message({ lane: 7 }), true],
    ["lane > 3 AND lane <= 7", message({ lane: 3 }), false],
    ["lane = 5", message({ lane: "5" }), false],
    ["a = 'x' OR b = 'y'", message({ b: "y" }), true],
    ["a = 'x' AND (b = 'y' OR c = 'z')", message({ a: "x", c: "z" }), true],
    ["NOT (a = 'x')", message({ a: "y" }), true],
    ["NOT (a = 'x')", message({}), false],
    ["step_type IN ('OCR', 'SIS')", message({ step_type: "SIS" }), true],
    ["step_type NOT IN ('OCR', 'SIS')", message({ step_type: "EMBEDDING" }), true],
    ["step_type NOT IN ('OCR', 'SIS')", message({}), false],
    ["a IS NULL", message({}), true],
    ["a IS NOT NULL", message({ a: "" }), true],
    ["EXISTS(a)", message({ a: false }), true],
    ["NOT EXISTS(a)", message({ a: false }), false],
    ["flag = TRUE", message({ flag: true }), true],
    ["name LIKE 'doc-%.pdf'", message({ name: "doc-12.pdf" }), true],
    ["name LIKE 'doc-_'", message({ name: "doc-12" }), false],
    ["name LIKE '100!%' ESCAPE '!'", message({ name: "100%" }), true],
    ["name = 'it''s'", message({ name: "it's" }), true],
    ["sys.Label = 'RESULT'", message({}, { subject: "RESULT" }), true],
    ["sys.subject = 'RESULT' AND sys.MessageId = 'm-1'", message({}, { subject: "RESULT" }), true],
    ["sys.CorrelationId = 'job-1'", message({}, { correlationId: "job-2" }), false],
    ["user.lane = -1", message({ lane: -1 }), true],
    ["[odd-name] = 'v'", message({ "odd-name": "v" }), true],
    ["1=1", message({}), true],
    ["1=0", message({}), false],
    ["TRUE", message({}), true],
    ["FALSE OR a = 'x'", message({ a: "x" }), true],
  ];
  it.each(cases)("%s on %j → %s", (filter, input, expected) => {
    expect(compileSqlFilter(filter)(input)).toBe(expected);
  });

  const invalid: Array<[string, RegExp]> = [
    ["", /empty filter/],
    ["step_type = ", /expected a literal/],
    ["step_type == 'OCR'", /expected a literal/],
    ["step_type = 'OCR", /unterminated string/],
    ["a = 'x' AND", /expected a literal/],
    ["a = 'x' b = 'y'", /unexpected text/],
    ["a + 1 = 2", /unexpected character "\+"/],
    ["sys.Nope = 'x'", /unsupported system property sys.Nope/],
    ["foo.bar = 'x'", /unknown property scope "foo"/],
    ["a IN ()", /expected a literal/],
    ["upper(a) = 'X'", /expected a comparison/],
    ["a LIKE 5", /LIKE takes a string/],
  ];
  it.each(invalid)("rejects %j", (filter, reason) => {
    expect(() => compileSqlFilter(filter)).toThrow(EmulatorError);
    expect(() => compileSqlFilter(filter)).toThrow(reason);
  });
});

describe("topology", () => {
  it("routes each step type of the default topology to exactly one worker subscription", () => {
    const topics = resolveTopology(defaultTopology());
    const directives = [...topics.get("directives")!.subscriptions.values()];
    for (const [stepType, expected] of [
      ["OCR", "platform-ocr"],
      ["EMBEDDING", "platform-embedding"],
      ["SIS", "platform-sis"],
    ]) {
      const matched = directives.filter((s) => s.matches(message({ step_type: stepType! }))).map((s) => s.name);
      expect(matched).toEqual([expected]);
    }
    expect([...topics.get("replies")!.subscriptions.keys()]).toEqual(["orchestrator"]);
  });

  it("names the subscription whose filter is invalid", () => {
    expect(() => resolveTopology({ topics: [{ name: "t", subscriptions: [{ name: "s", filter: "x ==" }] }] })).toThrow(/subscription "t\/s"/);
  });

  it("rejects duplicate names and nonsense limits", () => {
    expect(() =>
      resolveTopology({
        topics: [
          { name: "t", subscriptions: [] },
          { name: "t", subscriptions: [] },
        ],
      }),
    ).toThrow(/declared twice/);
    expect(() => resolveTopology({ topics: [{ name: "t", subscriptions: [{ name: "s", maxDeliveryCount: 0 }] }] })).toThrow(/maxDeliveryCount/);
    expect(() => resolveTopology({ topics: [{ name: "bad/name", subscriptions: [] }] })).toThrow(/topic name/);
  });
});
