import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** `agents.instance_token_hash`: the SHA-256 of the token an agent registered with (SQLite and Postgres). */
export class AddAgentInstanceToken1764720000000 implements MigrationInterface {
  name = 'AddAgentInstanceToken1764720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('agents', new TableColumn({ name: 'instance_token_hash', type: 'varchar', length: '64', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('agents', 'instance_token_hash');
  }
}
