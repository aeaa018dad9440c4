-- What the service last pushed to Asterisk for an operator's PJSIP endpoint (auth, aor,
-- endpoint: a hash of the fields and the home node). At every ARI connect only the operators
-- whose endpoint Asterisk lacks, or whose fingerprint differs, are pushed again: hundreds of
-- unchanged ones written to astdb at each connect backed up Asterisk's sorcery/aor task processor.
ALTER TABLE operators ADD COLUMN endpoint_fingerprint text;
