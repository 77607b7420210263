/** Milliseconds rounded to microseconds, as the server reports them. */
export const roundMs = (ms: number): number => Math.round(ms * 1000) / 1000;
