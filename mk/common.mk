# mk/common.mk — src/common: allocation, strings, queues, config, pure parsers
src_libpgdeck_common_a_SOURCES += \
	src/common/xalloc.c src/common/xalloc.h \
	src/common/strbuf.c src/common/strbuf.h \
	src/common/msgq.c src/common/msgq.h
