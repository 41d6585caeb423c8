import { requestIdsOf } from './storage-messages';

describe('requestIdsOf', () => {
  it("names a lone request by its own id, and shared work by every request's id in order", () => {
    expect(requestIdsOf([{ requestId: 'a1' }])).toBe('a1');
    expect(requestIdsOf([{ requestId: 'a1' }, { requestId: 'b-2' }, { requestId: 'c:3' }])).toBe('a1,b-2,c:3');
  });
});
