import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';

/**
 * A throw-away Postgres schema, so test runs share one database without seeing each other's
 * tables. Its URL pins the connection's search_path to it, the way an operator would.
 */
export class PostgresSchema {
  readonly name = `iir_test_${randomBytes(5).toString('hex')}`;

  constructor(private readonly baseUrl: string) {}

  get url(): string {
    const url = new URL(this.baseUrl);
    url.searchParams.set('options', `-c search_path=${this.name}`);
    return url.toString();
  }

  async create(): Promise<void> {
    await this.query(`CREATE SCHEMA "${this.name}"`);
  }

  async drop(): Promise<void> {
    await this.query(`DROP SCHEMA IF EXISTS "${this.name}" CASCADE`);
  }

  /** One statement, on a connection of its own, inside the schema. */
  async query<T>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    const dataSource = await new DataSource({ type: 'postgres', url: this.url }).initialize();
    try {
      return (await dataSource.query(sql, parameters)) as T[];
    } finally {
      await dataSource.destroy();
    }
  }
}
