# mk/report.mk — reading recordings (issue 17): the reader API and
# `pgdeck report`, with their tests.
