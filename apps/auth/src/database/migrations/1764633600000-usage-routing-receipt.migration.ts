import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The routing receipt in the ledger: the policy, and for `auto` the label, confidence, complexity and tier. */
export class UsageRoutingReceipt1764633600000 implements MigrationInterface {
  name = 'UsageRoutingReceipt1764633600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('usage_records', [
      new TableColumn({ name: 'policy', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'route_label', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'route_confidence', type: 'real', isNullable: true }),
      new TableColumn({ name: 'route_complexity', type: 'varchar', length: '16', isNullable: true }),
      new TableColumn({ name: 'route_tier', type: 'varchar', length: '64', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const c of ['route_tier', 'route_complexity', 'route_confidence', 'route_label', 'policy']) await queryRunner.dropColumn('usage_records', c);
  }
}
