import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** `hardware_profiles`: one row per registry host with its last discovery (SQLite and Postgres). */
export class CreateHardwareProfiles1764633600000 implements MigrationInterface {
  name = 'CreateHardwareProfiles1764633600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'hardware_profiles',
        columns: [
          { name: 'host', type: 'varchar', length: '255', isPrimary: true },
          { name: 'refreshed_at', type: 'varchar', length: '32' },
          // JSON text (TypeORM's simple-json): the contract's HardwareInfo and ModelRecommendation[].
          { name: 'hardware', type: 'text' },
          { name: 'recommendations', type: 'text' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('hardware_profiles');
  }
}
