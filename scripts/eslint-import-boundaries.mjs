// @ts-check
// The ESLint rule `lucius/import-boundaries` (configured in eslint.config.js, run by `npm run lint`):
// which top-level folders a file may import from, so the deployment units stay apart
// (docs/architecture.md, "Deployment units"). A small rule of our own rather than
// `no-restricted-imports`, because that one matches specifier strings, not the files they name,
// and does not see `import()` or `import("…")` types; this one resolves every relative specifier
// against the importing file and compares repository paths.
import { dirname, relative, resolve, sep } from "node:path";

/**
 * @typedef {object} Boundary
 * @property {string[]} files Folders (repository-relative) whose files the boundary applies to.
 * @property {string[]} forbid Folders those files may not import from.
 * @property {string[]} [except] Files (repository-relative, any extension) inside `forbid` they may import.
 * @property {string} why Said in the report.
 */

const extension = /\.(?:d\.)?(?:[cm]?[jt]s|tsx|jsx)$/;

/** A repository-relative path with `/` separators and without its extension. */
const normalize = (/** @type {string} */ path) => path.split(sep).join("/").replace(extension, "");

const within = (/** @type {string} */ path, /** @type {string} */ folder) => path === folder || path.startsWith(`${folder}/`);

/** @type {import("eslint").Rule.RuleModule} */
export const importBoundaries = {
  meta: {
    type: "problem",
    docs: { description: "Keeps each deployment unit to the folders it may import (docs/architecture.md)" },
    schema: [
      {
        type: "object",
        properties: {
          root: { type: "string" },
          boundaries: {
            type: "array",
            items: {
              type: "object",
              properties: {
                files: { type: "array", items: { type: "string" } },
                forbid: { type: "array", items: { type: "string" } },
                except: { type: "array", items: { type: "string" } },
                why: { type: "string" },
              },
              required: ["files", "forbid", "why"],
              additionalProperties: false,
            },
          },
        },
        required: ["root", "boundaries"],
        additionalProperties: false,
      },
    ],
    messages: { forbidden: "{{file}} may not import {{target}}: {{why}}" },
  },
  create(context) {
    const { root, boundaries } = /** @type {{ root: string; boundaries: Boundary[] }} */ (context.options[0]);
    const file = relative(root, context.filename).split(sep).join("/");
    const applying = boundaries.filter((boundary) => boundary.files.some((folder) => within(file, folder)));
    if (applying.length === 0) return {};

    /** @param {import("estree").Node} node @param {unknown} specifier */
    function check(node, specifier) {
      if (typeof specifier !== "string" || !specifier.startsWith(".")) return;
      const target = normalize(relative(root, resolve(dirname(context.filename), specifier)));
      const broken = applying.find(
        (boundary) => boundary.forbid.some((folder) => within(target, folder)) && !(boundary.except ?? []).some((allowed) => normalize(allowed) === target),
      );
      if (broken) context.report({ node, messageId: "forbidden", data: { file, target: specifier, why: broken.why } });
    }

    /** The text of a string literal, or of a template literal without `${}`. */
    const text = (/** @type {any} */ node) =>
      node?.type === "Literal" ? node.value : node?.type === "TemplateLiteral" && node.expressions.length === 0 ? node.quasis[0].value.cooked : undefined;

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => check(node, text(node.source)),
      // `import("…").Name` in a type (`source`; `argument` in older typescript-eslint), and `import x = require("…")`.
      /** @param {any} node */
      TSImportType: (node) => check(node, text(node.source ?? node.argument?.literal)),
      /** @param {any} node */
      TSExternalModuleReference: (node) => check(node, text(node.expression)),
    };
  },
};
