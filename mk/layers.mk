# mk/layers.mk — the layer rules, checked on every build (see mk/layers.sh).
EXTRA_DIST += mk/layers.sh
all-local: check-layers
check-layers:
	@$(SHELL) $(top_srcdir)/mk/layers.sh $(top_srcdir)
.PHONY: check-layers
