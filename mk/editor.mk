# mk/editor.mk — file lists for this area (included by Makefile.am)
