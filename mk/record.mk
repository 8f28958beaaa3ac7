# mk/record.mk — recordings (issue 17): the SQLite file, `pgdeck record`,
# thinning, their tests and the recorder cost bench.
