import { Database, type RunResult as Sqlite3RunResult } from 'sqlite3';

/**
 * TypeORM 1.x dropped its node-sqlite3 driver (only `better-sqlite3` is left for Node, and it is not
 * a dependency here). Its `expo` driver takes an injected client with a small async API, so this
 * file implements that API over `sqlite3`. Switching to better-sqlite3 later replaces this file.
 */
export interface SqliteClient {
  openDatabaseAsync(file: string): Promise<SqliteConnection>;
}

interface RunResult {
  changes: number;
  lastInsertRowId: number;
  getAllAsync(): Promise<unknown[]>;
}

interface SqliteStatement {
  executeAsync(parameters?: unknown[]): Promise<RunResult>;
  finalizeAsync(): Promise<void>;
}

interface SqliteConnection {
  runAsync(sql: string): Promise<RunResult>;
  prepareAsync(sql: string): Promise<SqliteStatement>;
  closeAsync(): Promise<void>;
}

const BUSY_TIMEOUT_MS = 5_000;

export const sqliteClient: SqliteClient = {
  async openDatabaseAsync(file) {
    const db = await new Promise<Database>((resolve, reject) => {
      const opened: Database = new Database(file, (error) => (error ? reject(error) : resolve(opened)));
    });
    db.configure('busyTimeout', BUSY_TIMEOUT_MS);
    // Write-ahead log, synced at checkpoints: a commit is an append, not a journal file created,
    // fsynced and deleted (the ledger commits a batch every few ms under load). A process crash or a
    // kill -9 loses nothing committed; only a power loss can lose the last commits, never corrupt.
    await execute(db, 'PRAGMA journal_mode = WAL', []);
    await execute(db, 'PRAGMA synchronous = NORMAL', []);
    return {
      runAsync: (sql) => execute(db, sql, []),
      prepareAsync: async (sql) => ({
        executeAsync: (parameters = []) => execute(db, sql, parameters),
        finalizeAsync: async () => undefined,
      }),
      closeAsync: () => new Promise<void>((resolve, reject) => db.close((error) => (error ? reject(error) : resolve()))),
    };
  },
};

// node-sqlite3 reports changed rows only from `run` and rows only from `all`, so pick by statement.
function returnsRows(sql: string): boolean {
  return /^\s*(select|pragma|with|values|explain)\b/i.test(sql) || /\breturning\b/i.test(sql);
}

function execute(db: Database, sql: string, parameters: unknown[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (returnsRows(sql)) {
      db.all(sql, parameters, (error, rows: unknown[]) => {
        if (error) reject(error);
        else resolve({ changes: 0, lastInsertRowId: 0, getAllAsync: async () => rows });
      });
      return;
    }
    db.run(sql, parameters, function (this: Sqlite3RunResult, error: Error | null) {
      if (error) reject(error);
      else resolve({ changes: this.changes, lastInsertRowId: this.lastID, getAllAsync: async () => [] });
    });
  });
}
