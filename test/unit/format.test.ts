import { strict as assert } from 'node:assert';
import { TRACE_FORMAT, TRACE_VERSION } from '../../src/trace/format';

describe('trace format', () => {
  it('declares its name and version', () => {
    assert.equal(TRACE_FORMAT, 'awaitlens');
    assert.equal(TRACE_VERSION, 1);
  });
});
