// The standalone HTML timeline (`--html OUT.html`), written by the webview's standalone writer.
import type { TraceModel } from '../model/types';
import type { TraceRecord } from '../trace/format';

/** The HTML text of a self-contained timeline, or null when this build has no standalone writer. */
export function writeStandaloneHtml(_records: TraceRecord[], _model: TraceModel, _title: string): string | null {
  return null;
}
