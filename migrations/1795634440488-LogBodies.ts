import { MigrationInterface, QueryRunner } from 'typeorm';

export class LogBodies1795634440488 implements MigrationInterface {
  name = 'LogBodies1795634440488';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "request_logs" ADD "request_body" text`);
    await queryRunner.query(`ALTER TABLE "request_logs" ADD "response_body" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "request_logs" DROP COLUMN "response_body"`);
    await queryRunner.query(`ALTER TABLE "request_logs" DROP COLUMN "request_body"`);
  }
}
