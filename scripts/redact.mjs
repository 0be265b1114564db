// Keeps credentials out of `npm start`'s terminal. Over plain HTTP a kubeconfig carries its token in
// the server URL's path (/clusters/<id>/auth/<token>/...), since kubectl sends bearer tokens only
// over HTTPS, and wrangler dev prints every request's path: each line of its output passes
// through redact() on its way to the terminal. Colour codes around the path are kept.

export const REDACTED = "<redacted>";

// A credential runs up to the next path separator, query, fragment, quote, whitespace or colour
// code; what a client sends need not look like one of ours, so any such run is hidden.
const END = "/\\s?#&\"'`\\x1b";
const PATTERNS = [
  [new RegExp(`(/auth/)[^${END}]+`, "g"), `$1${REDACTED}`],
  [new RegExp(`([?&](?:token|ticket|access_token)=)[^${END}]+`, "gi"), `$1${REDACTED}`],
  [new RegExp(`(#(?:instructor|join)=)[^${END}]+`, "g"), `$1${REDACTED}`],
];

/** The line with every credential in it replaced by <redacted>. */
export function redact(line) {
  let out = line;
  for (const [re, to] of PATTERNS) out = out.replace(re, to);
  return out;
}

/** Only part of a line has arrived for this long: show it (a prompt, a progress line) redacted. */
const PARTIAL_FLUSH_MS = 100;

/**
 * Copies `input` to `output` line by line through redact(). A partial line is held until its end
 * arrives (a token must not be split across two writes and escape the pattern), or shown after a
 * moment if nothing follows it.
 */
export function pipeRedacted(input, output) {
  let pending = "";
  let timer;
  const flushPartial = () => {
    timer = undefined;
    if (pending) output.write(redact(pending));
    pending = "";
  };
  input.setEncoding("utf8");
  input.on("data", (chunk) => {
    clearTimeout(timer);
    pending += chunk;
    const end = pending.lastIndexOf("\n");
    if (end >= 0) {
      output.write(pending.slice(0, end + 1).split("\n").map(redact).join("\n"));
      pending = pending.slice(end + 1);
    }
    if (pending) timer = setTimeout(flushPartial, PARTIAL_FLUSH_MS);
  });
  input.on("end", () => {
    clearTimeout(timer);
    flushPartial();
  });
}
