import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { analyze, detectLanguage, findAmounts, findDates, parseAmount, promptFor, sentences } from "../../workers/sis/index.js";
import { words } from "../../workers/sis/keywords.js";

const sample = readFileSync(new URL("../fixtures/documents/sample-invoice.txt", import.meta.url), "utf8");

describe("monetary amounts", () => {
  it("finds symbols and ISO codes before or after the number, in both separator conventions", () => {
    const found = findAmounts("Paid $1,234.56 and EUR 99.00, then 1.234,56 € plus £7 and 12 USD; not 2026-0042 or 3,5 kg.");
    expect(found.map((a) => [a.text, a.value, a.currency])).toEqual([
      ["$1,234.56", 1234.56, "USD"],
      ["EUR 99.00", 99, "EUR"],
      ["1.234,56 €", 1234.56, "EUR"],
      ["£7", 7, "GBP"],
      ["12 USD", 12, "USD"],
    ]);
  });

  it("parses grouping and decimal marks", () => {
    expect(parseAmount("1,234")).toBe(1234);
    expect(parseAmount("1.234")).toBe(1234);
    expect(parseAmount("1'234'567.5")).toBe(1234567.5);
    expect(parseAmount("99,9")).toBe(99.9);
  });
});

describe("dates", () => {
  it("finds ISO, month-name and numeric dates and normalises them", () => {
    const found = findDates(
      "Issued 2026-03-03, due April 2nd, 2026; shipped 3 March 2026; ref 03/04/2026, 25/12/2026 and 31.01.2027. Not 2026-02-30 or 13/13/2026.",
    );
    expect(found.map((d) => [d.text, d.iso, d.ambiguous ?? false])).toEqual([
      ["2026-03-03", "2026-03-03", false],
      ["April 2nd, 2026", "2026-04-02", false],
      ["3 March 2026", "2026-03-03", false],
      ["03/04/2026", "2026-03-04", true],
      ["25/12/2026", "2026-12-25", false],
      ["31.01.2027", "2027-01-31", false],
    ]);
  });
});

describe("language, keywords and summary", () => {
  it("guesses the language from stop words", () => {
    expect(detectLanguage(words("The invoice is due within thirty days of the date")).code).toBe("en");
    expect(detectLanguage(words("Die Rechnung ist innerhalb von dreißig Tagen zu zahlen und nicht später")).code).toBe("de");
    expect(detectLanguage(words("la facture est payable dans les trente jours pour le client")).code).toBe("fr");
    expect(detectLanguage(words("12345 67890")).code).toBe("und");
  });

  it("analyses the sample invoice: English, its amount and date, an extractive summary", () => {
    const result = analyze(sample);
    expect(result.language.code).toBe("en");
    expect(result.amounts).toEqual([expect.objectContaining({ value: 1234.56, currency: "USD", text: "$1,234.56" })]);
    expect(result.dates).toEqual([expect.objectContaining({ iso: "2026-03-03", text: "March 3, 2026" })]);
    expect(result.keywords.map((k) => k.term)).toContain("due");
    expect(result.keywords.map((k) => k.term)).not.toContain("the");
    expect(result.summary).toContain("Total due: $1,234.56");
    const chosen = sentences(sample).filter((s) => result.summary.includes(s));
    expect(chosen.join(" ")).toBe(result.summary);
    expect(chosen.length).toBeLessThanOrEqual(3);
    expect(analyze(sample, { maxTokens: 3 }).summary.split(/\s+/)).toHaveLength(4); // three tokens and the ellipsis
  });

  it("knows its prompt sets and refuses others", () => {
    expect(promptFor(undefined).name).toBe("default");
    expect(promptFor("invoice").name).toBe("invoice");
    expect(() => promptFor("poetry")).toThrow(/prompt_set "poetry" is unknown/);
  });
});
