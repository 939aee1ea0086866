import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The request's `x-iir-route` pin in the ledger: what a `local-only` request was held to. */
export class UsageRoutePin1764806400000 implements MigrationInterface {
  name = 'UsageRoutePin1764806400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('usage_records', new TableColumn({ name: 'route_pin', type: 'varchar', length: '16', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('usage_records', 'route_pin');
  }
}
