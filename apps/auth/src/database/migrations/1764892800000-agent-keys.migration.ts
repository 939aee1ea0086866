import { TableCheck, TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Agent credentials: the `agent` role and the agent id such a key speaks for. */
export class AgentKeys1764892800000 implements MigrationInterface {
  name = 'AgentKeys1764892800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('api_keys', new TableColumn({ name: 'agent_id', type: 'varchar', length: '128', isNullable: true }));
    await queryRunner.dropCheckConstraint('api_keys', 'CHK_api_keys_role');
    await queryRunner.createCheckConstraint('api_keys', new TableCheck({ name: 'CHK_api_keys_role', expression: `"role" IN ('user', 'admin', 'agent')` }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropCheckConstraint('api_keys', 'CHK_api_keys_role');
    await queryRunner.createCheckConstraint('api_keys', new TableCheck({ name: 'CHK_api_keys_role', expression: `"role" IN ('user', 'admin')` }));
    await queryRunner.dropColumn('api_keys', 'agent_id');
  }
}
