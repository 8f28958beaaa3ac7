# mk/replay.mk — the console on a recording (issue 17): `pgdeck --replay`,
# the time bar, `:record`, their TUI tests and the scrub bench.
