// Follows a trace file while the tracer writes it (the extension's live view): polls for new
// bytes, parses whole lines with TraceReader, hands the records over in batches.
// Polling rather than fs.watch: watch events are unreliable across platforms and network
// drives, and a read of nothing new every 100 ms costs nothing.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { TraceReader, type ParseProblem } from '../trace/reader';
import type { TraceRecord } from '../trace/format';

export interface TraceTailOptions {
  /** Poll interval, ms (default 100). */
  intervalMs?: number;
  /** Called with each batch of new records, in file order. */
  onRecords: (records: TraceRecord[]) => void;
  /** Called when lines cannot be parsed (never for a line still being written). */
  onProblems?: (problems: ParseProblem[]) => void;
}

const CHUNK = 1 << 20;

export class TraceTail {
  private reader = new TraceReader();
  private decoder = new StringDecoder('utf8');
  private readonly buffer = Buffer.allocUnsafe(CHUNK);
  private offset = 0;
  private fd: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reportedProblems = 0;
  private closed = false;
  /** Every record read so far. */
  readonly records: TraceRecord[] = [];

  constructor(readonly path: string, private readonly options: TraceTailOptions) {}

  /** Starts polling (the file may not exist yet: the tracer creates it when the program starts). */
  start(): this {
    if (!this.timer && !this.closed) {
      this.timer = setInterval(() => this.poll(), this.options.intervalMs ?? 100);
      this.poll();
    }
    return this;
  }

  get problems(): ParseProblem[] {
    return this.reader.problems;
  }

  /** Reads whatever is new now. Returns the records read. */
  poll(): TraceRecord[] {
    if (this.closed) return [];
    if (this.fd === null) {
      try {
        this.fd = openSync(this.path, 'r');
      } catch {
        return []; // not created yet
      }
    }
    let size: number;
    try {
      size = fstatSync(this.fd).size;
      // Replaced by a new run (another inode, or shorter than what we read): start over.
      const onDisk = statSync(this.path);
      if (onDisk.ino !== fstatSync(this.fd).ino || size < this.offset) {
        closeSync(this.fd);
        this.fd = openSync(this.path, 'r');
        this.offset = 0;
        // Line numbers and partial characters belong to the old file.
        this.reader = new TraceReader();
        this.decoder = new StringDecoder('utf8');
        this.reportedProblems = 0;
        size = fstatSync(this.fd).size;
      }
    } catch {
      return [];
    }
    let text = '';
    while (this.offset < size) {
      const n = readSync(this.fd, this.buffer, 0, Math.min(CHUNK, size - this.offset), this.offset);
      if (n <= 0) break;
      this.offset += n;
      text += this.decoder.write(this.buffer.subarray(0, n));
    }
    return text ? this.deliver(this.reader.push(text)) : [];
  }

  private deliver(records: TraceRecord[]): TraceRecord[] {
    if (records.length) {
      for (const r of records) this.records.push(r);
      this.options.onRecords(records);
    }
    if (this.options.onProblems && this.reader.problems.length > this.reportedProblems) {
      this.options.onProblems(this.reader.problems.slice(this.reportedProblems));
      this.reportedProblems = this.reader.problems.length;
    }
    return records;
  }

  /** Stops polling after a last read; a partial last line is parsed (and reported if broken). */
  close(): TraceRecord[] {
    if (this.closed) return [];
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const last = this.poll();
    this.closed = true;
    const rest = this.decoder.end();
    const final = this.deliver([...this.reader.push(rest), ...this.reader.finish()]);
    if (this.fd !== null) {
      try { closeSync(this.fd); } catch { /* already closed */ }
      this.fd = null;
    }
    return [...last, ...final];
  }
}
