import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** API keys and the usage ledger, in TypeORM's portable schema API (SQLite and Postgres). */
export class CreateKeysAndUsage1764547200000 implements MigrationInterface {
  name = 'CreateKeysAndUsage1764547200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const FALSE = queryRunner.connection.driver.options.type === 'postgres' ? 'false' : '0';
    await queryRunner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          // SHA-256 (hex) of the secret; the secret itself is never stored.
          { name: 'key_hash', type: 'varchar', length: '64', isUnique: true },
          { name: 'display_prefix', type: 'varchar', length: '16' },
          { name: 'description', type: 'varchar', length: '200' },
          { name: 'role', type: 'varchar', length: '8' },
          { name: 'priority', type: 'integer' },
          { name: 'rpm', type: 'integer', isNullable: true },
          { name: 'tpm', type: 'integer', isNullable: true },
          { name: 'allowed_models', type: 'text' },
          { name: 'expires_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'revoked_at', type: 'varchar', length: '32', isNullable: true },
        ],
        checks: [{ name: 'CHK_api_keys_role', expression: `"role" IN ('user', 'admin')` }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'usage_records',
        columns: [
          // The request id: a redelivered record hits the primary key and is ignored.
          { name: 'request_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'key_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'priority', type: 'integer' },
          { name: 'model', type: 'varchar', length: '200' },
          { name: 'target', type: 'varchar', length: '200', isNullable: true },
          { name: 'provider', type: 'varchar', length: '64', isNullable: true },
          { name: 'prompt_tokens', type: 'integer' },
          { name: 'completion_tokens', type: 'integer' },
          { name: 'total_tokens', type: 'integer' },
          { name: 'latency_ms', type: 'real' },
          { name: 'ttft_ms', type: 'real', isNullable: true },
          { name: 'status', type: 'integer' },
          { name: 'error_code', type: 'varchar', length: '64', isNullable: true },
          { name: 'cache_hit', type: 'boolean', default: FALSE },
          { name: 'stream', type: 'boolean', default: FALSE },
          // ISO-8601 UTC (fixed width), so string order is time order on both databases.
          { name: 'created_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createIndex('usage_records', new TableIndex({ name: 'IDX_usage_created_at', columnNames: ['created_at'] }));
    await queryRunner.createIndex('usage_records', new TableIndex({ name: 'IDX_usage_key_created', columnNames: ['key_id', 'created_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('usage_records');
    await queryRunner.dropTable('api_keys');
  }
}
