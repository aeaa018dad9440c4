-- Skills (issue 21): what an operator can do, with a level (skill name → 1..5, e.g.
-- {"en": 3, "billing": 1}). A jsonb column on the operator rather than a table: the ACD reads
-- skills with the operators it keeps in memory (OperatorService, read again every 2 s), so they
-- come in the same row and the same query; they are always read and written whole (the API sets
-- an operator's skills at once), and nothing queries "who has skill X" in SQL.
-- The service validates names and levels (src/queues/skills.ts); the check keeps the shape.
-- Existing operators get none: an installation that never gives skills routes as before.
ALTER TABLE operators ADD COLUMN skills jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE operators ADD CONSTRAINT operators_skills_object CHECK (jsonb_typeof(skills) = 'object');
