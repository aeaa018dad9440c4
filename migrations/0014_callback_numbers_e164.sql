-- Callback numbers are E.164 with the "+" from now on (src/callbacks/callback-number.ts), so
-- that the per-number limits count one number once whatever its spelling. Rows booked before
-- under the old default plan (^[78][0-9]{10}$: Russian numbers, 7… or 8…) get that form; any
-- other row is left as it was, since what a custom plan meant cannot be told from the digits.
UPDATE callbacks SET number = '+7' || substr(number, 2) WHERE number ~ '^[78][0-9]{10}$';
