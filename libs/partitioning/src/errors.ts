/** A ring was built with the same member id twice; placement would silently double that node's share. */
export class DuplicateMemberError extends Error {
  readonly code = 'DUPLICATE_MEMBER' as const;

  constructor(readonly memberId: string) {
    super(`duplicate ring member id: ${JSON.stringify(memberId)}`);
    this.name = 'DuplicateMemberError';
  }
}

/** A placement was asked of a ring with no members: no node can own the key. */
export class EmptyRingError extends Error {
  readonly code = 'EMPTY_RING' as const;

  constructor() {
    super('the ring has no members');
    this.name = 'EmptyRingError';
  }
}
