import { RecentAnswers } from './recent-answers';

describe('RecentAnswers', () => {
  it('needs answers from a majority of the acceptors within the window', () => {
    const answers = new RecentAnswers(3);
    expect(answers.majorityWithin(1_000, 500)).toBe(false);
    answers.record(0, 900);
    expect(answers.majorityWithin(1_000, 500)).toBe(false);
    answers.record(2, 600);
    expect(answers.majorityWithin(1_000, 500)).toBe(true);
    // The peer's answer ages out: the region alone is no majority.
    expect(answers.majorityWithin(1_200, 500)).toBe(false);
    answers.record(1, 1_150);
    expect(answers.majorityWithin(1_200, 500)).toBe(true);
  });
});
