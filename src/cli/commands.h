/* commands.h — each subcommand's entry point; main.c dispatches on argv[1].
 * argv[0] is the subcommand's name; return the process exit code. */
#ifndef PGDECK_COMMANDS_H
#define PGDECK_COMMANDS_H

int cmd_console_main(int argc, char **argv); /* pgdeck [CONN] [DBNAME [USER]] */
int cmd_demo_main(int argc, char **argv);    /* pgdeck demo */
int cmd_run_main(int argc, char **argv);     /* pgdeck run */
int cmd_import_main(int argc, char **argv);  /* pgdeck import */
int cmd_top_main(int argc, char **argv);     /* pgdeck top */
int cmd_explain_main(int argc, char **argv); /* pgdeck explain */
int cmd_fleet_main(int argc, char **argv);   /* pgdeck fleet */
int cmd_record_main(int argc, char **argv);  /* pgdeck record */
int cmd_report_main(int argc, char **argv);  /* pgdeck report */

#endif
