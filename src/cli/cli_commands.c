/* The commands, in the order the program's usage and the manual list them: one table for
 * main's dispatch, the usage, the manual page and the shell completion. */
#include "cli_options.h"

const struct cli_entry cli_commands[] = {
    {&cli_check_command, cmd_check},     {&cli_agent_command, cmd_agent},
    {&cli_plan_command, cmd_plan},       {&cli_merge_command, cmd_merge},
    {&cli_diff_command, cmd_diff},       {&cli_demo_command, cmd_demo},
    {&cli_profile_command, cmd_profile},
};
const size_t cli_ncommands = sizeof cli_commands / sizeof cli_commands[0];
