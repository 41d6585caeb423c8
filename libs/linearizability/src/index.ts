export { checkHistory, DEFAULT_TIME_BUDGET_MS } from './check-history';
export { describeOperation } from './explain';
export { InvalidHistoryError } from './errors';
export type { CheckOptions, CheckResult, HistoryOperation, RegisterInput, RegisterOutput, RegisterValue } from './history';
