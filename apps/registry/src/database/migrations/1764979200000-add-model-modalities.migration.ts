import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** `models.modalities`: what a model takes and gives, JSON (SQLite and Postgres); null = text in, text out. */
export class AddModelModalities1764979200000 implements MigrationInterface {
  name = 'AddModelModalities1764979200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('models', new TableColumn({ name: 'modalities', type: 'text', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('models', 'modalities');
  }
}
