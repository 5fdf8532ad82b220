"""training records' staff checked once a statement: on PostgreSQL the foreign key
training_record.staff_id -> staff_member.id (ON DELETE CASCADE) becomes statement-level
triggers with transition tables, so a bulk import's COPY is not checked one row at a time
(docs/adr/0024-training-staff-checked-per-statement.md). SQLite keeps the foreign key.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08 22:10:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_training_record_staff_id_staff_member"

# A migration keeps its own copy of the SQL. The messages and SQLSTATEs are PostgreSQL's
# own for a foreign key, so callers see the same IntegrityError as before.
FUNCTIONS = f"""
CREATE FUNCTION training_record_staff_exists() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    named integer[];
    held integer;
    missing integer;
BEGIN
    -- Each staff id once (an import names a few thousand staff in 100,000 rows), as an
    -- array: the lookups below are planned for its size each time, an index probe for a
    -- record added on a page, one pass over the table for an import's thousands.
    named := ARRAY(SELECT DISTINCT n.staff_id FROM training_new n WHERE n.staff_id IS NOT NULL);
    -- Lock them as the foreign key's own check does: a concurrent delete of one waits
    -- until this transaction ends (and then takes its records with it); one deleted while
    -- we waited for its lock is not locked, so not counted.
    SELECT count(*) INTO held FROM (
        SELECT 1 FROM staff_member s WHERE s.id = ANY (named) FOR KEY SHARE OF s
    ) AS locked;
    IF held < cardinality(named) THEN
        SELECT n INTO missing FROM unnest(named) AS n
        WHERE NOT EXISTS (SELECT 1 FROM staff_member s WHERE s.id = n) ORDER BY n LIMIT 1;
        RAISE EXCEPTION USING
            ERRCODE = 'foreign_key_violation',
            MESSAGE = 'insert or update on table "training_record" violates foreign key '
                      'constraint "{FOREIGN_KEY}"',
            DETAIL = format('Key (staff_id)=(%s) is not present in table "staff_member".',
                            missing),
            TABLE = 'training_record', CONSTRAINT = '{FOREIGN_KEY}';
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION staff_member_delete_training() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM training_record t USING staff_gone g WHERE t.staff_id = g.id;
    RETURN NULL;
END $$;

CREATE FUNCTION staff_member_id_kept() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM training_record t WHERE t.staff_id = OLD.id) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'foreign_key_violation',
            MESSAGE = 'update or delete on table "staff_member" violates foreign key '
                      'constraint "{FOREIGN_KEY}" on table "training_record"',
            DETAIL = format('Key (id)=(%s) is still referenced from table "training_record".',
                            OLD.id),
            TABLE = 'staff_member', CONSTRAINT = '{FOREIGN_KEY}';
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION staff_member_truncate_refused() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM training_record) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'feature_not_supported',
            MESSAGE = 'cannot truncate a table referenced in a foreign key constraint',
            DETAIL = 'Table "training_record" references "staff_member".',
            HINT = 'Truncate table "training_record" at the same time.';
    END IF;
    RETURN NULL;
END $$;
"""

TRIGGERS = """
CREATE TRIGGER training_record_staff_inserted AFTER INSERT ON training_record
    REFERENCING NEW TABLE AS training_new
    FOR EACH STATEMENT EXECUTE FUNCTION training_record_staff_exists();
CREATE TRIGGER training_record_staff_updated AFTER UPDATE ON training_record
    REFERENCING NEW TABLE AS training_new
    FOR EACH STATEMENT EXECUTE FUNCTION training_record_staff_exists();
CREATE TRIGGER staff_member_deleted AFTER DELETE ON staff_member
    REFERENCING OLD TABLE AS staff_gone
    FOR EACH STATEMENT EXECUTE FUNCTION staff_member_delete_training();
CREATE TRIGGER staff_member_id_changed AFTER UPDATE OF id ON staff_member
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION staff_member_id_kept();
CREATE TRIGGER staff_member_truncated AFTER TRUNCATE ON staff_member
    FOR EACH STATEMENT EXECUTE FUNCTION staff_member_truncate_refused();
"""

DROP = """
DROP TRIGGER IF EXISTS staff_member_truncated ON staff_member;
DROP TRIGGER IF EXISTS staff_member_id_changed ON staff_member;
DROP TRIGGER IF EXISTS staff_member_deleted ON staff_member;
DROP TRIGGER IF EXISTS training_record_staff_updated ON training_record;
DROP TRIGGER IF EXISTS training_record_staff_inserted ON training_record;
DROP FUNCTION IF EXISTS staff_member_truncate_refused();
DROP FUNCTION IF EXISTS staff_member_id_kept();
DROP FUNCTION IF EXISTS staff_member_delete_training();
DROP FUNCTION IF EXISTS training_record_staff_exists();
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite keeps the foreign key
    op.drop_constraint(FOREIGN_KEY, "training_record", type_="foreignkey")
    op.execute(FUNCTIONS)
    op.execute(TRIGGERS)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(DROP)
    op.create_foreign_key(
        FOREIGN_KEY, "training_record", "staff_member", ["staff_id"], ["id"], ondelete="CASCADE"
    )
