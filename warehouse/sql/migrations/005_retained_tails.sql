-- Migration 005: what a superseded delivery of a page still counts (a crawl of page 1 again).
--
-- A newer delivery of a page (same writer, same file name) supersedes the older one. The posts that
-- fell off the end of the page in between (newer posts pushed them to page 2) are still published
-- pieces: the older delivery keeps counting them. `retained_from` is the position on the older
-- page from which its posts count (those past the last post its next delivery still lists); NULL
-- while the delivery is current. warehouse/identity.py sets it (a migrated warehouse's superseded
-- deliveries get theirs on the next run); what each column means: comments.sql.

ALTER TABLE dumps ADD COLUMN retained_from INTEGER;
