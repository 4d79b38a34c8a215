import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Zone versions are evidence (which geometry was live when a breach was judged), so the database keeps
 * them immutable whatever the application does: UPDATE is refused, and DELETE is refused unless the zone
 * itself is being deleted (ON DELETE CASCADE from zone or trial, when the parent row is already gone).
 * Check points get the rule the service applies: a surveyed position has a positive accuracy.
 */
export class ZoneCheckPoints1763700000010 implements MigrationInterface {
  name = 'ZoneCheckPoints1763700000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION zone_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM zone WHERE id = OLD.zone_id) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'zone versions are immutable (zone %, version %): publish a new version instead',
          OLD.zone_id, OLD.version USING ERRCODE = 'P0001';
      END $$`);
    await q.query(`
      CREATE TRIGGER zone_version_immutable BEFORE UPDATE OR DELETE ON zone_version
      FOR EACH ROW EXECUTE FUNCTION zone_version_immutable()`);
    await q.query(`
      CREATE FUNCTION zone_version_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'zone versions are immutable: TRUNCATE zone_version is refused' USING ERRCODE = 'P0001';
      END $$`);
    await q.query(`
      CREATE TRIGGER zone_version_no_truncate BEFORE TRUNCATE ON zone_version
      FOR EACH STATEMENT EXECUTE FUNCTION zone_version_no_truncate()`);
    await q.query(
      `ALTER TABLE check_point ADD CONSTRAINT check_point_accuracy_positive CHECK (accuracy_m > 0)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE check_point DROP CONSTRAINT check_point_accuracy_positive`);
    await q.query(`DROP TRIGGER zone_version_no_truncate ON zone_version`);
    await q.query(`DROP FUNCTION zone_version_no_truncate`);
    await q.query(`DROP TRIGGER zone_version_immutable ON zone_version`);
    await q.query(`DROP FUNCTION zone_version_immutable`);
  }
}
