/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cli/commands.h - the subcommands of bpfprof, one function each, dispatched by cli/main.c.
 *
 * Each takes argc/argv starting at the subcommand's own name (argv[0] == "record", ...) and
 * returns the process exit status. Each prints its own one-line errors to stderr.
 */
#ifndef BPFPROF_COMMANDS_H
#define BPFPROF_COMMANDS_H

int cmd_record(int argc, char **argv);	/* cli/cmd_record.c */
int cmd_list(int argc, char **argv);	/* cli/cmd_list.c */
int cmd_attach(int argc, char **argv);	/* cli/cmd_attach.c */
int cmd_report(int argc, char **argv);	/* cli/cmd_report.c */
int cmd_diff(int argc, char **argv);	/* cli/cmd_diff.c */
int cmd_monitor(int argc, char **argv); /* cli/cmd_monitor.c */
int cmd_start(int argc, char **argv);	/* cli/cmd_control.c */
int cmd_status(int argc, char **argv);	/* cli/cmd_control.c */
int cmd_dump(int argc, char **argv);	/* cli/cmd_control.c */
int cmd_stop(int argc, char **argv);	/* cli/cmd_control.c */

#endif /* BPFPROF_COMMANDS_H */
