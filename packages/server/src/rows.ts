/** How values travel in and out of store columns: JSON text and epoch milliseconds. */

export const j = (v: unknown): string => JSON.stringify(v);

export const p = <T>(s: string | null): T => (s === null ? null : JSON.parse(s)) as T;

export const iso = (ms: number): string => new Date(ms).toISOString();
