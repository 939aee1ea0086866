import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The client's own `x-request-id`, kept beside the gateway's request id (the key) for correlation:
 * never unique, so requests that share one are each recorded.
 */
export class UsageClientRequestId1764720000000 implements MigrationInterface {
  name = 'UsageClientRequestId1764720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('usage_records', new TableColumn({ name: 'client_request_id', type: 'varchar', length: '128', isNullable: true }));
    await queryRunner.createIndex('usage_records', new TableIndex({ name: 'IDX_usage_client_request_id', columnNames: ['client_request_id'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('usage_records', 'IDX_usage_client_request_id');
    await queryRunner.dropColumn('usage_records', 'client_request_id');
  }
}
