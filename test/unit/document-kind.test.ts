import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { contentTypeConflict, declaredDocumentKind, DocumentKind, sniffDocumentKind } from "../../lib/documents/document-kind.js";
import { declaredContentType } from "../../cli/content-type.js";
import { UsageError } from "../../cli/errors.js";
import { checkDeclaredType } from "../../workers/ocr/declared-type.js";
import { WorkerError, WorkerErrorCode } from "../../workers/runtime/index.js";

const png = readFileSync(new URL("../../samples/invoice.png", import.meta.url));
const pdf = Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "latin1");

describe("document kinds from the bytes", () => {
  it("recognises PDF, PNG, JPEG, TIFF (both byte orders) and UTF-8 text by their bytes alone", () => {
    expect(sniffDocumentKind(png)).toBe(DocumentKind.png);
    expect(sniffDocumentKind(pdf)).toBe(DocumentKind.pdf);
    expect(sniffDocumentKind(Buffer.concat([Buffer.from("junk before the header\n"), pdf]))).toBe(DocumentKind.pdf);
    expect(sniffDocumentKind(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe(DocumentKind.jpeg);
    expect(sniffDocumentKind(Buffer.from("II*\0rest", "latin1"))).toBe(DocumentKind.tiff);
    expect(sniffDocumentKind(Buffer.from("MM\0*rest", "latin1"))).toBe(DocumentKind.tiff);
    expect(sniffDocumentKind(Buffer.from("Total due: 1 234,56 €\r\n\tmerci"))).toBe(DocumentKind.text);
    expect(sniffDocumentKind(Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00", "latin1"))).toBeUndefined();
    expect(sniffDocumentKind(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0]))).toBeUndefined();
    expect(sniffDocumentKind(Buffer.from([0xc3, 0x28, 0x41]))).toBeUndefined(); // not UTF-8
    expect(sniffDocumentKind(Buffer.alloc(0))).toBeUndefined();
  });

  it("reads the kind a media type names and finds contradictions only between two known kinds", () => {
    expect(
      ["application/pdf", "IMAGE/JPG", "image/tiff", "text/plain; charset=utf-8", "application/octet-stream", undefined].map(declaredDocumentKind),
    ).toEqual(["pdf", "jpeg", "tiff", "text", undefined, undefined]);
    expect(contentTypeConflict("application/pdf", DocumentKind.png)).toEqual({ declared: "pdf", actual: "png" });
    expect(contentTypeConflict("image/png", DocumentKind.png)).toBeUndefined();
    expect(contentTypeConflict("application/octet-stream", DocumentKind.png)).toBeUndefined();
    expect(contentTypeConflict("image/png", undefined)).toBeUndefined();
  });
});

describe("lucius submit's declared content type", () => {
  it("declares what the bytes are, whatever the file is called", () => {
    expect(declaredContentType("x.pdf", pdf, undefined)).toBe("application/pdf");
    expect(declaredContentType("scan.bin", pdf, undefined)).toBe("application/pdf");
    expect(declaredContentType("x.pdf", png, undefined)).toBe("image/png");
    expect(declaredContentType("notes.txt", Buffer.from("hello"), undefined)).toBe("text/plain; charset=utf-8");
    expect(declaredContentType("rows.jsonl", Buffer.from('{"text":"a"}\n'), undefined)).toBe("application/x-ndjson");
    expect(declaredContentType("blob.dat", Buffer.from([0, 1, 2, 3]), undefined)).toBe("application/octet-stream");
  });

  it("refuses a --content-type the bytes contradict as a usage error, and keeps one they do not", () => {
    const refused = (() => {
      try {
        return declaredContentType("invoice.png", png, "application/pdf");
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(UsageError);
    expect((refused as UsageError).message).toBe("--content-type application/pdf contradicts the file: invoice.png is PNG (image/png)");
    expect(declaredContentType("invoice.png", png, "image/png")).toBe("image/png");
    expect(declaredContentType("invoice.png", png, "application/octet-stream")).toBe("application/octet-stream");
  });
});

describe("the OCR worker's check of the declared type", () => {
  it("fails a PNG declared as PDF NON_RETRYABLE CONTENT_TYPE_MISMATCH, naming both types", () => {
    const failure = (() => {
      try {
        checkDeclaredType("application/pdf", DocumentKind.png);
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(WorkerError);
    expect(failure).toMatchObject({
      code: WorkerErrorCode.contentTypeMismatch,
      failureClass: "NON_RETRYABLE",
      message: "The input is declared application/pdf but its bytes are PNG (image/png)",
      details: { declared_content_type: "application/pdf", detected_content_type: "image/png" },
    });
    expect(() => checkDeclaredType("image/png", DocumentKind.png)).not.toThrow();
    expect(() => checkDeclaredType(undefined, DocumentKind.pdf)).not.toThrow();
  });
});
