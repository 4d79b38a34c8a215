import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Rejected MQTT messages, kept with their reason (DESIGN.md: never silently dropped). */
export class DeadLetter1763700000001 implements MigrationInterface {
  name = 'DeadLetter1763700000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE dead_letter (
        id bigserial PRIMARY KEY,
        received_at timestamptz NOT NULL,
        topic text NOT NULL,
        device_id text,
        item_index integer NOT NULL DEFAULT -1,
        reason text NOT NULL,
        payload bytea NOT NULL,
        payload_bytes integer NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX dead_letter_received_at ON dead_letter (received_at)`);
    await queryRunner.query(
      `COMMENT ON COLUMN dead_letter.item_index IS 'position of the bad item in a batch; -1 for the whole message'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE dead_letter`);
  }
}
