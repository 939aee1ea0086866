/** One check against a requests log and/or a tokens log, as both backends (Redis, memory) run it. */
export interface AdmitRequest {
  /** Base name of the windows' keys (`<base>:rq`, `<base>:tk`, `<base>:th`). */
  base: string;
  windowMs: number;
  /** 0 = requests are not limited (and not counted). */
  rpm: number;
  /** 0 = tokens are not limited (and not counted). */
  tpm: number;
  tokens: number;
  /** Unique per admission: the request's entry in both logs. */
  member: string;
}

export interface AdmitResult {
  allowed: boolean;
  limited?: 'requests' | 'tokens';
  /** Absent when allowed, and when the estimate alone is more than the TPM (it can never fit). */
  retryAfterMs?: number;
  requests: { used: number; resetMs: number };
  tokens: { used: number; resetMs: number };
}

export interface SettleRequest {
  base: string;
  windowMs: number;
  member: string;
  reserved: number;
  actual: number;
}

/** Key names of one window set; a hash tag keeps them in one cluster slot. */
export const windowKeys = (base: string): { requests: string; tokens: string; tokenCounts: string } => ({
  requests: `${base}:rq`,
  tokens: `${base}:tk`,
  tokenCounts: `${base}:th`,
});
