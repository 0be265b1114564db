// The parsing half of the tiny shell (shell.ts runs the result): words and operators with quotes
// and $(...) kept whole, then sequences, while/until and for loops, simple commands with redirects.
// Its input is a pod spec's script, bounded by the API server's object size.

export type Ast = { kind: "cmd"; words: string[]; redirect?: string } | { kind: "seq"; items: { op: ";" | "&&" | "||"; node: Ast }[] } | { kind: "while"; cond: Ast; body: Ast; until: boolean } | { kind: "for"; values: string[]; variable: string; body: Ast };

/** Split a script into words and operators, honouring quotes. */
export function tokenize(src: string): string[] {
  const out: string[] = [];
  let cur = "";
  let has = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "'" || c === '"') {
      const end = src.indexOf(c, i + 1);
      const j = end < 0 ? src.length : end;
      cur += src.slice(i + 1, j);
      has = true;
      i = j;
    } else if (c === "\\" && i + 1 < src.length) {
      cur += src[++i];
      has = true;
    } else if (c === "$" && src[i + 1] === "(") {
      // Keep $(...) as one word.
      let depth = 0;
      let j = i + 1;
      for (; j < src.length; j++) {
        if (src[j] === "(") depth++;
        else if (src[j] === ")" && --depth === 0) break;
      }
      cur += src.slice(i, j + 1);
      has = true;
      i = j;
    } else if (c === " " || c === "\t") {
      if (has) out.push(cur);
      cur = "";
      has = false;
    } else if (c === ";" || c === "\n" || c === "&" || c === "|") {
      if (has) out.push(cur);
      cur = "";
      has = false;
      if ((c === "&" || c === "|") && src[i + 1] === c) {
        out.push(c + c);
        i++;
      } else if (c === "&") {
        if (src[i - 1] === ">" || src[i + 1] === ">") { cur += "&"; has = true; } // 2>&1, &>file
        else out.push("&");
      } else if (c === "|") out.push("|");
      else out.push(";");
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

export class Parser {
  private i = 0;
  constructor(private readonly t: string[]) {}
  private peek(): string | undefined { return this.t[this.i]; }
  parseSeq(stop: string[] = []): Ast {
    const items: { op: ";" | "&&" | "||"; node: Ast }[] = [];
    let op: ";" | "&&" | "||" = ";";
    while (this.i < this.t.length) {
      const w = this.peek()!;
      if (stop.includes(w)) break;
      if (w === ";" || w === "&") { this.i++; op = ";"; continue; }
      if (w === "&&" || w === "||") { this.i++; op = w; continue; }
      items.push({ op, node: this.parseCommand() });
      op = ";";
    }
    return { kind: "seq", items };
  }
  private parseCommand(): Ast {
    const w = this.peek();
    if (w === "while" || w === "until") {
      this.i++;
      const cond = this.parseSeq(["do"]);
      this.i++; // do
      const body = this.parseSeq(["done"]);
      this.i++; // done
      return { kind: "while", cond, body, until: w === "until" };
    }
    if (w === "for") {
      this.i++;
      const variable = this.t[this.i++] ?? "i";
      const values: string[] = [];
      if (this.peek() === "in") {
        this.i++;
        while (this.i < this.t.length && this.peek() !== ";" && this.peek() !== "do") values.push(this.t[this.i++]);
      }
      if (this.peek() === ";") this.i++;
      this.i++; // do
      const body = this.parseSeq(["done"]);
      this.i++;
      return { kind: "for", variable, values, body };
    }
    const words: string[] = [];
    let redirect: string | undefined;
    while (this.i < this.t.length) {
      const x = this.peek()!;
      if ([";", "&&", "||", "&"].includes(x)) break;
      if (x === "|") { this.i++; continue; } // pipelines: the last command's effects are close enough
      this.i++;
      if (/^(\d|&)?>>?$/.test(x)) { redirect = this.t[this.i++]; continue; }
      const m = /^(?:\d|&)?>>?(.+)$/.exec(x);
      if (m) { if (!m[1].startsWith("&")) redirect = m[1]; continue; }
      words.push(x);
    }
    return { kind: "cmd", words, redirect };
  }
}
