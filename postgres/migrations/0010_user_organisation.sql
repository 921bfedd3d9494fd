-- A partner user's organisation: referrals are visible to every partner
-- user of the organisation that sent them. Empty for the unit's users, and
-- for a partner account made before organisations, which counts as an
-- organisation of its own.

ALTER TABLE users ADD COLUMN organisation TEXT NOT NULL DEFAULT '';
