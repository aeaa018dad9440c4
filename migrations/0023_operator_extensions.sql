-- A short extension per operator (issue 19, internal calls): colleagues dial it from the panel
-- or a SIP desk phone, and the dialplan's [operators] context reaches the owner's endpoint
-- through an astdb entry the service writes when it pushes the endpoint (endpoint-push.ts).
-- 3 or 4 digits, never starting with 0 (a common "outside line" prefix on desk phones).
-- Nullable: an operator with no extension can simply not be called internally.
ALTER TABLE operators ADD COLUMN extension text;

-- Existing operators, in the order they were created: 1000, 1001, ... (9000 at most: the rest
-- get none and an admin assigns them).
UPDATE operators o SET extension = (999 + x.n)::text
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM operators) x
 WHERE o.id = x.id AND x.n <= 9000;

ALTER TABLE operators ADD CONSTRAINT operators_extension_format CHECK (extension ~ '^[1-9][0-9]{2,3}$');
CREATE UNIQUE INDEX operators_extension_key ON operators (extension);

-- New operators get the next number by default (also rows inserted directly, e.g. by the seed
-- command). A number an admin gave by hand may be the sequence's next one: the service then
-- takes the lowest free number instead (OperatorService.create).
CREATE SEQUENCE operator_extension_seq MINVALUE 1000 MAXVALUE 9999 CYCLE;
SELECT setval('operator_extension_seq', LEAST(9999, GREATEST(1000, COALESCE((SELECT max(extension::int) FROM operators), 999) + 1)), false);
ALTER TABLE operators ALTER COLUMN extension SET DEFAULT nextval('operator_extension_seq')::text;
