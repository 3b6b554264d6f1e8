-- The change log bootd follows (DESIGN.md "Processes"): every write to a table bootd serves
-- from appends (entity, id) to "Change" in the same transaction, and NOTIFY wakes listeners.
-- A lost notification costs nothing: readers also poll past their last seq.
CREATE OR REPLACE FUNCTION fleetboot_record_change() RETURNS trigger AS $$
DECLARE
  key_column text := TG_ARGV[0];
  row_id text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    row_id := to_jsonb(OLD) ->> key_column;
  ELSE
    row_id := to_jsonb(NEW) ->> key_column;
  END IF;
  INSERT INTO "Change" ("entity", "entityId") VALUES (TG_TABLE_NAME, row_id);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- One NOTIFY per statement, not per row: a bulk import of 10,000 hosts wakes bootd once.
CREATE OR REPLACE FUNCTION fleetboot_notify_change() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('fleetboot_change', TG_TABLE_NAME);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER network_change AFTER INSERT OR UPDATE OR DELETE ON "Network" FOR EACH ROW EXECUTE FUNCTION fleetboot_record_change('id');
CREATE TRIGGER role_change AFTER INSERT OR UPDATE OR DELETE ON "Role" FOR EACH ROW EXECUTE FUNCTION fleetboot_record_change('id');
CREATE TRIGGER image_change AFTER INSERT OR UPDATE OR DELETE ON "Image" FOR EACH ROW EXECUTE FUNCTION fleetboot_record_change('id');
CREATE TRIGGER artifact_change AFTER INSERT OR UPDATE OR DELETE ON "Artifact" FOR EACH ROW EXECUTE FUNCTION fleetboot_record_change('sha256');
-- Host rows also carry live state (state, phase, last seen) written on every boot step; those
-- updates change nothing bootd decides on, so they are kept out of the log.
CREATE TRIGGER host_change_insert_delete AFTER INSERT OR DELETE ON "Host" FOR EACH ROW EXECUTE FUNCTION fleetboot_record_change('id');
CREATE TRIGGER host_change_update AFTER UPDATE ON "Host" FOR EACH ROW
  WHEN ((OLD.hostname, OLD.mac, OLD.ip, OLD."networkId", OLD."roleId", OLD.spare, OLD."bootEnabled", OLD."imageOverrideId", OLD."bootOverride")
        IS DISTINCT FROM
        (NEW.hostname, NEW.mac, NEW.ip, NEW."networkId", NEW."roleId", NEW.spare, NEW."bootEnabled", NEW."imageOverrideId", NEW."bootOverride"))
  EXECUTE FUNCTION fleetboot_record_change('id');

CREATE TRIGGER network_notify AFTER INSERT OR UPDATE OR DELETE ON "Network" FOR EACH STATEMENT EXECUTE FUNCTION fleetboot_notify_change();
CREATE TRIGGER role_notify AFTER INSERT OR UPDATE OR DELETE ON "Role" FOR EACH STATEMENT EXECUTE FUNCTION fleetboot_notify_change();
CREATE TRIGGER image_notify AFTER INSERT OR UPDATE OR DELETE ON "Image" FOR EACH STATEMENT EXECUTE FUNCTION fleetboot_notify_change();
CREATE TRIGGER artifact_notify AFTER INSERT OR UPDATE OR DELETE ON "Artifact" FOR EACH STATEMENT EXECUTE FUNCTION fleetboot_notify_change();
CREATE TRIGGER host_notify AFTER INSERT OR UPDATE OR DELETE ON "Host" FOR EACH STATEMENT EXECUTE FUNCTION fleetboot_notify_change();

-- Committed boot events wake the web process's live streams (one NOTIFY per batch).
CREATE OR REPLACE FUNCTION fleetboot_notify_events() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('fleetboot_events', '');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER boot_event_notify AFTER INSERT ON "BootEvent" FOR EACH STATEMENT EXECUTE FUNCTION fleetboot_notify_events();
