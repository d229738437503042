// The compact form of a trace embedded in a standalone HTML page. A million records as JSON
// objects make a 170 MB page that takes seconds to load; here the frequent records become
// runs of numbers in one flat array (times as deltas), and the objects they repeat (sites,
// stacks, what is awaited, causes) are stored once and referenced by index: a page about a
// fifth of the size that parses several times faster, with no per-record garbage.
// Lossless: a record with fields beyond the known ones (or odd values) stays a plain object.
// Shared by the writer (Node) and the webview (browser): no Node APIs, no DOM.
import type { Awaiting, Frame, ResumeCause, Site, TraceRecord } from '../trace/format';

export const EMBED_FORMAT = 'awaitlens-embedded-2';

/** Record tags in `data`, each followed by its fields (count in brackets). */
const OBJECT = 0;   // [index into objects]
const RESUME = 1;   // [task, dt, cause ref]
const SUSPEND = 2;  // [task, dt, site ref, stack ref, awaiting ref]
const IDLE = 3;     // [dt, dur]
const END = 4;      // [task, dt, outcome ref, error ref]
const OUTPUT = 5;   // [dt, task ref, stream 0/1, index into texts]

export interface EmbeddedRecords {
  format: typeof EMBED_FORMAT;
  count: number;
  /** Tags and fields of every record, in order. Times are deltas from the previous compact record's time. */
  data: number[] | Float64Array;
  /** Objects (and values such as null task ids) referenced by index. */
  values: unknown[];
  /** Output texts. */
  texts: string[];
  /** Records kept whole. */
  objects: TraceRecord[];
}

function keyCount(record: object): number {
  let n = 0;
  for (const key in record) { void key; n++; }
  return n;
}

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/** Compacts records for embedding. */
export function encodeRecords(records: TraceRecord[]): EmbeddedRecords {
  const values: unknown[] = [];
  const index = new Map<string, number>();
  const ref = (value: unknown): number => {
    const key = value === undefined ? 'undefined' : JSON.stringify(value);
    let i = index.get(key);
    if (i === undefined) {
      i = values.length;
      values.push(value);
      index.set(key, i);
    }
    return i;
  };
  const data: number[] = [];
  const texts: string[] = [];
  const objects: TraceRecord[] = [];
  let lastT = 0;
  for (const record of records) {
    const r = record as TraceRecord & Record<string, unknown>;
    const t = r.t;
    // Times and ids must survive a round trip through deltas exactly: safe integers only.
    const ok = isId(t) && (r.type === 'idle' || r.type === 'output' || isId(r.task));
    const n = ok ? keyCount(r) : -1;
    const dt = ok ? (t as number) - lastT : 0;
    if (r.type === 'resume' && n === 4 && 'cause' in r) data.push(RESUME, r.task as number, dt, ref(r.cause));
    else if (r.type === 'suspend' && n === 6 && 'site' in r && 'stack' in r && 'awaiting' in r) {
      data.push(SUSPEND, r.task as number, dt, ref(r.site), ref(r.stack), ref(r.awaiting));
    } else if (r.type === 'idle' && n === 3 && isId(r.dur)) data.push(IDLE, dt, r.dur as number);
    else if (r.type === 'end' && (n === 4 || (n === 5 && 'error' in r)) && 'outcome' in r) {
      data.push(END, r.task as number, dt, ref(r.outcome), n === 5 ? ref(r.error) : -1);
    } else if (r.type === 'output' && n === 5 && (r.stream === 'stdout' || r.stream === 'stderr') && typeof r.text === 'string' && 'task' in r) {
      data.push(OUTPUT, dt, ref(r.task), r.stream === 'stderr' ? 1 : 0, texts.length);
      texts.push(r.text);
    } else {
      data.push(OBJECT, objects.length);
      objects.push(record);
      continue;
    }
    lastT = t as number;
  }
  return { format: EMBED_FORMAT, count: records.length, data, values, texts, objects };
}

/** Where decoded records go: a model builder takes the frequent ones field by field. */
export interface RecordSink {
  addOne(record: TraceRecord): void;
  addResume(task: number, t: number, cause: ResumeCause): void;
  addSuspend(task: number, t: number, site: Site | null, stack: Frame[], awaiting: Awaiting): void;
  addIdle(t: number, dur: number): void;
}

/**
 * Feeds embedded records to `sink` in order, without making an object per record for the
 * frequent kinds (a million short-lived records cost more in garbage collection than in parsing).
 */
export function decodeInto(embedded: EmbeddedRecords, sink: RecordSink): void {
  if (!embedded || embedded.format !== EMBED_FORMAT) throw new Error(`embedded trace has format ${String(embedded?.format)}, expected ${EMBED_FORMAT}`);
  const { data, values, texts, objects } = embedded;
  let t = 0;
  let n = 0;
  let i = 0;
  const length = data.length;
  while (i < length) {
    switch (data[i]) {
      case OBJECT:
        sink.addOne(objects[data[i + 1]]);
        i += 2;
        break;
      case RESUME:
        t += data[i + 2];
        sink.addResume(data[i + 1], t, values[data[i + 3]] as ResumeCause);
        i += 4;
        break;
      case SUSPEND:
        t += data[i + 2];
        sink.addSuspend(data[i + 1], t, values[data[i + 3]] as Site | null, values[data[i + 4]] as Frame[], values[data[i + 5]] as Awaiting);
        i += 6;
        break;
      case IDLE:
        t += data[i + 1];
        sink.addIdle(t, data[i + 2]);
        i += 3;
        break;
      case END: {
        t += data[i + 2];
        const end = { type: 'end', task: data[i + 1], t, outcome: values[data[i + 3]] } as TraceRecord & { error?: unknown };
        if (data[i + 4] >= 0) end.error = values[data[i + 4]];
        sink.addOne(end);
        i += 5;
        break;
      }
      case OUTPUT:
        t += data[i + 1];
        sink.addOne({ type: 'output', t, task: values[data[i + 2]], stream: data[i + 3] === 1 ? 'stderr' : 'stdout', text: texts[data[i + 4]] } as TraceRecord);
        i += 5;
        break;
      default:
        throw new Error(`embedded trace is damaged (unknown tag ${String(data[i])} at ${i})`);
    }
    n++;
  }
  if (n !== embedded.count) throw new Error(`embedded trace is damaged (${n} of ${embedded.count} records)`);
}

/** Expands embedded records back into TraceRecords (shared sub-objects stay shared: nothing mutates them). */
export function decodeRecords(embedded: EmbeddedRecords): TraceRecord[] {
  const out: TraceRecord[] = [];
  decodeInto(embedded, {
    addOne: (record) => { out.push(record); },
    addResume: (task, t, cause) => { out.push({ type: 'resume', task, t, cause }); },
    addSuspend: (task, t, site, stack, awaiting) => { out.push({ type: 'suspend', task, t, site, stack, awaiting } as TraceRecord); },
    addIdle: (t, dur) => { out.push({ type: 'idle', t, dur }); },
  });
  return out;
}

/** Stands for "the next value of the overflow list" in packed data (a number that does not fit 32 bits). */
const OVERFLOW = -0x80000000;

/**
 * A big page's payload, before gzip: the numbers of `data` as raw little-endian 32-bit integers
 * after the JSON of everything else (numbers that do not fit, such as gaps of seconds in ns, go
 * to an overflow list in the JSON), so the browser reads them from the inflated bytes without
 * parsing 17 MB of digits into a five-million-element array:
 *   [u32 JSON byte length][JSON: records.data empty, packedData: count, overflow: [...]][padding to 4][int32 × count]
 */
export function packEmbedded<T extends { records: EmbeddedRecords }>(embedded: T): Uint8Array {
  const records = embedded.records;
  const data = records.data;
  const overflow: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v === (v | 0)) || v === OVERFLOW) overflow.push(v);
  }
  const json = new TextEncoder().encode(JSON.stringify({ ...embedded, records: { ...records, data: [] }, packedData: data.length, overflow }));
  const offset = Math.ceil((4 + json.length) / 4) * 4;
  const bytes = new Uint8Array(offset + data.length * 4);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, json.length, true);
  bytes.set(json, 4);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    view.setInt32(offset + i * 4, v === (v | 0) && v !== OVERFLOW ? v : OVERFLOW, true);
  }
  return bytes;
}

/** The inverse of packEmbedded: `records.data` comes back as a Float64Array. */
export function unpackEmbedded<T>(bytes: Uint8Array): T {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(0, true);
  if (4 + jsonLength > bytes.length) throw new Error('embedded trace is damaged (cut short)');
  const embedded = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + jsonLength))) as T & {
    records: EmbeddedRecords; packedData?: number; overflow?: number[];
  };
  const offset = Math.ceil((4 + jsonLength) / 4) * 4;
  const count = embedded.packedData ?? 0;
  const overflow = embedded.overflow ?? [];
  if (offset + count * 4 > bytes.length) throw new Error('embedded trace is damaged (cut short)');
  const littleEndian = new Uint8Array(new Int32Array([1]).buffer)[0] === 1;
  const aligned = littleEndian && (bytes.byteOffset + offset) % 4 === 0;
  const ints = aligned ? new Int32Array(bytes.buffer, bytes.byteOffset + offset, count) : null;
  const data = new Float64Array(count);
  let next = 0;
  for (let i = 0; i < count; i++) {
    const v = ints ? ints[i] : view.getInt32(offset + i * 4, true);
    data[i] = v === OVERFLOW ? overflow[next++] : v;
  }
  if (next !== overflow.length) throw new Error('embedded trace is damaged (overflow list)');
  embedded.records.data = data;
  delete embedded.packedData;
  delete embedded.overflow;
  return embedded;
}
