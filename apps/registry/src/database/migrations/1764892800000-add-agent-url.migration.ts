import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** `agents.url`: where the gateway reaches an agent that registered over HTTP (SQLite and Postgres). */
export class AddAgentUrl1764892800000 implements MigrationInterface {
  name = 'AddAgentUrl1764892800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('agents', new TableColumn({ name: 'url', type: 'varchar', length: '512', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('agents', 'url');
  }
}
