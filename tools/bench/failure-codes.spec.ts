import { FailureCodes } from './failure-codes';

describe('failure codes', () => {
  it('counts failed responses by status and the gateway error code, most frequent first', () => {
    const failures = new FailureCodes();
    failures.record(204, '');
    failures.record(200, 'value');
    failures.record(503, '{"error":"CONTENDED","message":"…","requestId":"r1"}');
    failures.record(503, '{"error":"NO_QUORUM","message":"…","requestId":"r2"}');
    failures.record(503, '{"error":"CONTENDED","message":"…","requestId":"r3"}');
    failures.record(412, '{"error":"PRECONDITION_FAILED"}');
    expect(failures.describe()).toBe('503 CONTENDED×2 412 PRECONDITION_FAILED×1 503 NO_QUORUM×1');
  });

  it('falls back to the status for bodies that are not the gateway error', () => {
    const failures = new FailureCodes();
    failures.record(502, '<html>bad gateway</html>');
    failures.record(503, '{"error":42}');
    failures.record(503, 'null');
    failures.record(500, '');
    expect(failures.describe()).toBe('503×2 500×1 502×1');
  });

  it('forgets everything on reset and says nothing when nothing failed', () => {
    const failures = new FailureCodes();
    failures.record(503, '{"error":"OUTCOME_UNKNOWN"}');
    failures.reset();
    expect(failures.describe()).toBe('');
  });
});
