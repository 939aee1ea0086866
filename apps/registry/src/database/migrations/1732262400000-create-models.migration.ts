import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The `models` table, written with TypeORM's portable schema API so it runs on SQLite and Postgres. */
export class CreateModels1732262400000 implements MigrationInterface {
  name = 'CreateModels1732262400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // SQLite stores booleans as 0/1 and TypeORM compares defaults that way; Postgres wants `true`.
    const TRUE = queryRunner.connection.driver.options.type === 'postgres' ? 'true' : '1';
    await queryRunner.createTable(
      new Table({
        name: 'models',
        columns: [
          { name: 'name', type: 'varchar', length: '200', isPrimary: true },
          { name: 'provider', type: 'varchar', length: '64' },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'protocol', type: 'varchar', length: '16' },
          { name: 'base_url', type: 'varchar', length: '500' },
          { name: 'upstream_model', type: 'varchar', length: '200' },
          { name: 'context_window', type: 'integer', isNullable: true },
          // JSON text (TypeORM's simple-json): {"promptPerMTok","completionPerMTok"} in USD.
          { name: 'pricing', type: 'text', isNullable: true },
          { name: 'aliases', type: 'text' },
          { name: 'fallbacks', type: 'text' },
          { name: 'enabled', type: 'boolean', default: TRUE },
          { name: 'managed_by', type: 'varchar', length: '16', default: "'operator'" },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'updated_at', type: 'varchar', length: '32' },
        ],
        checks: [
          { name: 'CHK_models_kind', expression: `"kind" IN ('hosted', 'vllm', 'llm-d', 'agent')` },
          { name: 'CHK_models_protocol', expression: `"protocol" IN ('openai', 'anthropic', 'agent')` },
          { name: 'CHK_models_managed_by', expression: `"managed_by" IN ('seed', 'operator')` },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('models');
  }
}
