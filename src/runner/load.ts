// Reads a saved trace file into records and a model (CLI `summary` / `view`, extension "open trace").
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { getHeapStatistics } from 'node:v8';
import { checkTraceHeader, TraceReader, type ParsedTrace } from '../trace/reader';
import type { TraceRecord } from '../trace/format';
import { buildModel } from '../model/build';
import type { TraceModel } from '../model/types';

export class TraceFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceFileError';
  }
}

const CHUNK = 8 << 20;
// What reading a trace takes, per byte of file: its records and model (measured: a 195 MB trace of
// 5 M events, 1.77 GB resident). A trace that cannot fit is refused in one line, not by V8's
// out-of-memory crash a minute later.
const MEMORY_PER_BYTE = 9;

function checkFits(path: string, size: number): void {
  const limit = getHeapStatistics().heap_size_limit;
  if (size * MEMORY_PER_BYTE <= limit) return;
  const mb = (n: number) => Math.ceil(n / 1e6);
  throw new TraceFileError(`Trace ${path} is ${mb(size)} MB: reading it needs about ${mb(size * MEMORY_PER_BYTE)} MB of memory, `
    + `more than this process may use (${mb(limit)} MB; for the CLI, NODE_OPTIONS=--max-old-space-size=${Math.ceil(mb(size * MEMORY_PER_BYTE * 1.2) / 1024) * 1024} raises it)`);
}

/**
 * Parses a trace file in chunks: a trace can be larger than the longest string V8 makes (512 MB),
 * and holding its whole text beside its records would double what reading it costs.
 */
function parseTraceFile(path: string): ParsedTrace & { empty: boolean } {
  const reader = new TraceReader();
  const records: TraceRecord[] = [];
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.allocUnsafe(CHUNK);
  let empty = true;
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      const text = decoder.write(n === CHUNK ? buffer : buffer.subarray(0, n));
      if (empty && text.trim()) empty = false;
      for (const r of reader.push(text)) records.push(r);
    }
  } finally {
    closeSync(fd);
  }
  for (const r of reader.push(decoder.end())) records.push(r);
  for (const r of reader.finish()) records.push(r);
  return { records, problems: reader.problems, empty };
}

/** Reads and parses a trace file; throws TraceFileError (one clear line) when it is missing or not a trace. */
export function readTraceFile(path: string): ParsedTrace {
  let parsed: ParsedTrace & { empty: boolean };
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new TraceFileError(`Not a file: ${path}`);
    checkFits(path, stat.size);
    parsed = parseTraceFile(path);
  } catch (error) {
    if (error instanceof TraceFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new TraceFileError(code === 'ENOENT' ? `Trace not found: ${path}` : `Cannot read trace ${path}: ${(error as Error).message}`);
  }
  if (parsed.empty) throw new TraceFileError(`Trace ${path} is empty (the tracer wrote nothing: did the program start?)`);
  const first = parsed.records[0];
  // A trace whose header line was lost (garbled, cut by hand) still shows what it can:
  // records of the trace's own types after a broken first line are worth reading.
  // Mostly good records, not one stray line among garbage.
  const headerless = first && first.type !== 'header'
    && parsed.records.length >= 3 && parsed.records.length > 2 * parsed.problems.length;
  if (headerless) {
    // (said of line 1 once: it replaces what was wrong with that line, if anything)
    const line1 = parsed.problems.findIndex((p) => p.line === 1);
    if (line1 >= 0) parsed.problems.splice(line1, 1);
    parsed.problems.unshift({ line: 1, message: 'no header record: the start of the trace is missing or damaged' });
    return { records: parsed.records, problems: parsed.problems };
  }
  try {
    checkTraceHeader(parsed, basename(path));
  } catch (error) {
    throw new TraceFileError((error as Error).message);
  }
  return { records: parsed.records, problems: parsed.problems };
}

/** Reads a trace file and builds its model. */
export function loadTraceModel(path: string): { parsed: ParsedTrace; model: TraceModel } {
  const parsed = readTraceFile(path);
  return { parsed, model: buildModel(parsed.records, parsed.problems) };
}
