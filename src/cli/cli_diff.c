/* dmsconn diff OLD.json NEW.json: what broke, what healed, what changed state. */
#include "cli_options.h"
#include "dmsconn/inventory.h"
#include "base/os.h"

#include <stdlib.h>
#include <string.h>

const struct cli_command cli_diff_command = {
    .name = "diff",
    .summary = "compare two JSON reports: what broke, what healed",
    .bit = CLI_DIFF,
    .synopsis =
        "usage: dmsconn diff [--no-color] OLD.json NEW.json\n"
        "\n"
        "Compares two JSON reports cell by cell (from, to, check, port): what broke (fails now,\n"
        "did not before), what healed, what changed state, what appeared or went.\n",
    .epilogue = "Exit: 0 nothing broke, 2 something broke, 3 a report cannot be read.\n",
    .takes_words = true,
    .why_not = "diff reads two reports",
};

int cmd_diff(int argc, char **argv)
{
    struct cli_args a;
    cli_args_init(&a);
    int parsed = cli_parse(argc, argv, &cli_diff_command, &a);
    bool color = dci_os_is_terminal(stdout) && !getenv("NO_COLOR") && !a.run.no_color;
    int nwords = a.nwords;
    char **words = a.words;
    cli_args_free(&a);
    if (parsed)
        return parsed == CLI_HELP_SHOWN ? 0 : parsed;
    if (nwords != 2)
        return cli_usage_error("diff", "expected two reports: OLD.json NEW.json");
    const char *old_path = words[0], *new_path = words[1];
    struct dc_diag diag = {{0}};
    char *old = NULL, *now = NULL;
    size_t old_len = 0, new_len = 0;
    struct dc_diff *diff = NULL;
    int rc = dc_read_file_max(old_path, DC_REPORT_MAX_BYTES, &old, &old_len, &diag);
    if (!rc)
        rc = dc_read_file_max(new_path, DC_REPORT_MAX_BYTES, &now, &new_len, &diag);
    if (!rc)
        rc = dc_diff_reports(old, old_len, old_path, now, new_len, new_path, &diff, &diag);
    free(old);
    free(now);
    if (rc) {
        fprintf(stderr, "dmsconn diff: %s\n", diag.msg[0] ? diag.msg : dc_strerror(rc));
        return DC_RUN_UNKNOWN;
    }
    dc_diff_print(diff, old_path, color, stdout);
    rc = diff->counts[DC_CHANGE_BROKE] ? DC_RUN_CRITICAL : DC_RUN_OK;
    dc_diff_free(diff);
    return rc;
}
