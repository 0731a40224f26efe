// What a sync run reports, to the CLI (--json), the client and the run history.

export interface SyncResult {
  connection: string;
  /** Id of the run in the state schema's run history. */
  run: number;
  full: boolean;
  added: number;
  changed: number;
  removed: number;
  /** Rows the destination rejected this run (recorded with the reason, sent again next run). */
  failed: number;
  /** Rows with a NULL or duplicate primary key: never sent, counted here and recorded. */
  invalid: number;
  /** Rows computed for this run but not delivered because the run stopped (they go out next run). */
  unsent: number;
  durationMs: number;
  /** Why the run stopped early (a destination that stayed down, a cancel), if it did. */
  error?: string;
}
