import { runCli } from "./main.js";

// The bin's entry (bin/lucius.mjs imports this compiled module). Exit as soon as the output is
// flushed: idle keep-alive sockets and SDK timers must not hold the terminal.
const code = await runCli(process.argv.slice(2));
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
