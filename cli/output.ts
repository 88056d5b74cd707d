/** A stream the CLI writes to; `isTTY`/`columns` decide between the live display and plain lines. */
export interface TextStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Where results go. With `--json`, stdout carries exactly one JSON document and human text
 * (progress, notes) moves to stderr, so `lucius … --json | jq` always parses.
 */
export class Output {
  constructor(
    readonly json: boolean,
    readonly stdout: TextStream = process.stdout,
    readonly stderr: TextStream = process.stderr,
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  /** The stream for human-readable progress and notes. */
  get human(): TextStream {
    return this.json ? this.stderr : this.stdout;
  }

  /** Whether the human stream is a terminal (live redraws, colour). */
  get interactive(): boolean {
    return this.human.isTTY === true;
  }

  /** The command's result: `data` as JSON with `--json`, otherwise whatever `text` prints. */
  result(data: unknown, text: () => void): void {
    if (this.json) this.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    else text();
  }

  line(text = ""): void {
    this.human.write(`${text}\n`);
  }

  /** Colours a word on a terminal, unless NO_COLOR is set. */
  paint(text: string, colour: keyof typeof colours): string {
    if (!this.interactive || this.env.NO_COLOR) return text;
    return `\x1b[${colours[colour]}m${text}\x1b[0m`;
  }

  /** A state name in the colour of its outcome. */
  state(state: string): string {
    return this.paint(state, stateColour(state));
  }
}

/** An SGR escape sequence (colour); built from the code point because lint rightly flags control characters in regex literals. */
const ansiCode = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

const colours = { green: 32, red: 31, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;

function stateColour(state: string): keyof typeof colours {
  if (state === "SUCCEEDED") return "green";
  if (state === "FAILED" || state === "CANCELLED") return "red";
  if (state === "PENDING" || state === "QUEUED" || state === "SKIPPED") return "dim";
  if (state === "PAUSED" || state === "CANCELLING" || state === "RETRY_WAIT" || state === "AWAITING_APPROVAL") return "yellow";
  return "cyan";
}

/** Left-aligned columns; ANSI colour codes do not count towards a cell's width. */
export function table(rows: string[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const width = (cell: string) => cell.replace(ansiCode, "").length;
  const widths = all.reduce<number[]>((acc, row) => row.map((cell, i) => Math.max(acc[i] ?? 0, width(cell))), []);
  return all
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat(widths[i]! - width(cell))))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** `1.2s`, `850ms`, `3m04s`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** The time between two ISO instants (the second defaults to now). */
export function elapsed(from: string | undefined, to?: string, now = Date.now()): string {
  if (!from) return "";
  return duration((to ? Date.parse(to) : now) - Date.parse(from));
}
