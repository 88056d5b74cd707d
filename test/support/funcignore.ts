/**
 * gitignore-style matching, the syntax Core Tools and azd read `.funcignore` in: one pattern a
 * line, `#` comments, `!` re-includes, a trailing `/` matches directories only, a leading or
 * inner `/` anchors the pattern to the root (otherwise it matches a name at any depth), `*` and
 * `?` stay within one path segment, `**` spans segments. A file under an ignored directory
 * cannot be re-included (the directory is never entered).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";

interface Rule {
  negate: boolean;
  directoryOnly: boolean;
  regex: RegExp;
}

function segmentPattern(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === "*" && glob[i + 1] === "*") {
      const slashAfter = glob[i + 2] === "/";
      out += slashAfter ? "(?:.*/)?" : ".*";
      i += slashAfter ? 2 : 1;
    } else if (ch === "*") out += "[^/]*";
    else if (ch === "?") out += "[^/]";
    else if (ch === "[") {
      const close = glob.indexOf("]", i + 1);
      if (close < 0) out += "\\[";
      else {
        out += `[${glob
          .slice(i + 1, close)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\")}]`;
        i = close;
      }
    } else if (ch === "\\" && i + 1 < glob.length) out += `\\${glob[++i]}`;
    else out += ch.replace(/[.+^${}()|\]\\]/g, "\\$&");
  }
  return out;
}

/** The rules of a `.funcignore` text. */
export function parseIgnore(text: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.replace(/(?<!\\)\s+$/, "");
    if (line === "" || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1);
    const directoryOnly = line.endsWith("/");
    if (directoryOnly) line = line.slice(0, -1);
    const anchored = line.includes("/");
    if (line.startsWith("/")) line = line.slice(1);
    const body = segmentPattern(line);
    rules.push({ negate, directoryOnly, regex: new RegExp(`^${anchored ? "" : "(?:.*/)?"}${body}$`) });
  }
  return rules;
}

/** Whether `path` (relative, `/`-separated) is ignored; the last matching rule wins. */
export function isIgnored(rules: readonly Rule[], path: string, isDirectory: boolean): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (rule.directoryOnly && !isDirectory) continue;
    if (rule.regex.test(path)) ignored = !rule.negate;
  }
  return ignored;
}

/** Every file under `root` the package would hold (relative paths, sorted). */
export function packagedFiles(root: string, rules: readonly Rule[]): string[] {
  const files: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = prefix + entry.name;
      const directory = entry.isDirectory();
      if (isIgnored(rules, path, directory)) continue;
      if (directory) walk(join(dir, entry.name), `${path}/`);
      else files.push(path);
    }
  };
  walk(root, "");
  return files.sort();
}
