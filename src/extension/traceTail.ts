// Follows a trace file while the tracer writes it: reads what was appended since the last look
// and hands over whole records. Pure Node (no `vscode`). Polling, not fs.watch: watchers miss
// appends on some file systems, and a 100 ms poll is cheap next to a running program.
import { open, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { TraceReader, type ParseProblem } from '../trace/reader';
import type { TraceRecord } from '../trace/format';

const CHUNK = 1 << 20;

export class TraceTail {
  private readonly reader = new TraceReader();
  private readonly decoder = new StringDecoder('utf8');
  private handle: FileHandle | null = null;
  private position = 0;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();
  private stopped = false;
  readonly records: TraceRecord[] = [];

  constructor(
    readonly path: string,
    private readonly onRecords: (records: TraceRecord[]) => void,
    private readonly intervalMs = 100,
  ) {}

  get problems(): ParseProblem[] {
    return this.reader.problems;
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.reading = this.reading.then(() => this.readNew()).finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    tick();
  }

  private async readNew(): Promise<void> {
    if (!this.handle) {
      try {
        this.handle = await open(this.path, 'r');
      } catch {
        return; // The tracer has not created it yet.
      }
    }
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await this.handle.read(buffer, 0, CHUNK, this.position);
      if (bytesRead <= 0) break;
      this.position += bytesRead;
      this.deliver(this.reader.push(this.decoder.write(buffer.subarray(0, bytesRead))));
      if (bytesRead < CHUNK) break;
    }
  }

  private deliver(records: TraceRecord[]): void {
    if (!records.length) return;
    for (const r of records) this.records.push(r);
    this.onRecords(records);
  }

  /** The program ended: read the rest, parse a truncated last line as a problem, close the file. */
  async finish(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.reading;
    await this.readNew();
    this.deliver(this.reader.push(this.decoder.end()));
    this.deliver(this.reader.finish());
    await this.handle?.close();
    this.handle = null;
  }
}
