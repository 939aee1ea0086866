import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The `agents` table (registrations), portable between SQLite and Postgres. */
export class CreateAgents1733000000000 implements MigrationInterface {
  name = 'CreateAgents1733000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'agents',
        columns: [
          { name: 'agent_id', type: 'varchar', length: '128', isPrimary: true },
          // JSON text (TypeORM's simple-json).
          { name: 'models', type: 'text' },
          { name: 'hardware', type: 'text' },
          { name: 'max_concurrency', type: 'integer' },
          { name: 'version', type: 'varchar', length: '64' },
          { name: 'registered_at', type: 'varchar', length: '32' },
          { name: 'updated_at', type: 'varchar', length: '32' },
          { name: 'last_seen_at', type: 'varchar', length: '32', isNullable: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('agents');
  }
}
