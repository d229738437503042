// Reads a saved trace file into records and a model (CLI `summary` / `view`, extension "open trace").
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { checkTraceHeader, parseTrace, type ParsedTrace } from '../trace/reader';
import { buildModel } from '../model/build';
import type { TraceModel } from '../model/types';

export class TraceFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceFileError';
  }
}

/** Reads and parses a trace file; throws TraceFileError (one clear line) when it is missing or not a trace. */
export function readTraceFile(path: string): ParsedTrace {
  let text: string;
  try {
    if (!statSync(path).isFile()) throw new TraceFileError(`Not a file: ${path}`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof TraceFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new TraceFileError(code === 'ENOENT' ? `Trace not found: ${path}` : `Cannot read trace ${path}: ${(error as Error).message}`);
  }
  if (!text.trim()) throw new TraceFileError(`Trace ${path} is empty (the tracer wrote nothing: did the program start?)`);
  const parsed = parseTrace(text);
  const first = parsed.records[0];
  // A trace whose header line was lost (garbled, cut by hand) still shows what it can:
  // records of the trace's own types after a broken first line are worth reading.
  // Mostly good records, not one stray line among garbage.
  const headerless = first && first.type !== 'header' && parsed.problems.some((p) => p.line === 1)
    && parsed.records.length >= 3 && parsed.records.length > 2 * parsed.problems.length;
  if (headerless) {
    parsed.problems.unshift({ line: 1, message: 'no header record: the start of the trace is missing or damaged' });
    return parsed;
  }
  try {
    checkTraceHeader(parsed, basename(path));
  } catch (error) {
    throw new TraceFileError((error as Error).message);
  }
  return parsed;
}

/** Reads a trace file and builds its model. */
export function loadTraceModel(path: string): { parsed: ParsedTrace; model: TraceModel } {
  const parsed = readTraceFile(path);
  return { parsed, model: buildModel(parsed.records, parsed.problems) };
}
