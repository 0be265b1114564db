// Types for redact.mjs (imported by the tests, which are TypeScript).
export declare const REDACTED: string;
export declare function redact(line: string): string;
export interface TextSource { setEncoding(enc: "utf8"): unknown; on(event: "data" | "end", f: (chunk: string) => void): unknown }
export interface TextSink { write(text: string): unknown }
export declare function pipeRedacted(input: TextSource, output: TextSink): void;
