import { AbsenceSpeculation, BATCHES_BETWEEN_ATTEMPTS_AFTER_A_MISS } from './absence-speculation';

describe('AbsenceSpeculation', () => {
  it('speculates until a miss', () => {
    const speculation = new AbsenceSpeculation();
    for (let i = 0; i < 1_000; i++) expect(speculation.shouldSpeculate()).toBe(true);
  });

  it('reads first for the next batches after a miss, then speculates again', () => {
    const speculation = new AbsenceSpeculation();
    speculation.missed();
    const answers = Array.from({ length: BATCHES_BETWEEN_ATTEMPTS_AFTER_A_MISS + 2 }, () => speculation.shouldSpeculate());
    expect(answers.slice(0, BATCHES_BETWEEN_ATTEMPTS_AFTER_A_MISS).every((answer) => !answer)).toBe(true);
    expect(answers.slice(BATCHES_BETWEEN_ATTEMPTS_AFTER_A_MISS)).toEqual([true, true]);
  });

  it('starts the wait over on a miss during it', () => {
    const speculation = new AbsenceSpeculation();
    speculation.missed();
    for (let i = 0; i < 10; i++) speculation.shouldSpeculate();
    speculation.missed();
    for (let i = 0; i < BATCHES_BETWEEN_ATTEMPTS_AFTER_A_MISS; i++) expect(speculation.shouldSpeculate()).toBe(false);
    expect(speculation.shouldSpeculate()).toBe(true);
  });
});
