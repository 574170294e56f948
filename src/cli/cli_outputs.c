/* The outputs of a run: files in every requested format, the diff against a baseline or
 * the history's last run, the history itself, and the view on standard output. */
#include "cli.h"
#include "dmsconn/inventory.h"
#include "base/os.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_format_parse(const char *name, enum cli_format *out)
{
    static const char *const names[] = {"text",       "json", "csv", "junit",
                                        "prometheus", "html", "none"};
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (enum cli_format)i;
            return 0;
        }
    }
    return DC_EINVAL;
}

typedef int (*writer_fn)(const struct dc_report *report, const char *path);

static const writer_fn writers[] = {
    [CLI_JSON] = dc_report_json_write,   [CLI_CSV] = dc_report_csv_write,
    [CLI_JUNIT] = dc_report_junit_write, [CLI_PROM] = dc_report_prom_write,
    [CLI_HTML] = dc_report_html_write,
};

static bool write_output(const struct dc_report *rep, enum cli_format format, const char *path)
{
    int rc = writers[format](rep, path);
    if (rc)
        fprintf(stderr, "dmsconn: cannot write %s: %s\n", path, strerror(-rc));
    return rc == 0;
}

static bool is_history_name(const char *name)
{
    size_t n = strlen(name);
    return strncmp(name, "dmsconn-", 8) == 0 && n > 13 && strcmp(name + n - 5, ".json") == 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The history's report names, oldest first (their names sort by time). */
static char **history_list(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_history_name(e->d_name))
            continue;
        char **grown = realloc(names, (*n + 1) * sizeof *names);
        if (!grown)
            break;
        names = grown;
        names[*n] = strdup(e->d_name);
        if (names[*n])
            (*n)++;
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof *names, by_name);
    return names;
}

static void free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* The directory part of path ("." for a bare name). */
static void parent_of(const char *path, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", path);
    char *slash = strrchr(buf, '/');
    if (!slash)
        snprintf(buf, cap, ".");
    else if (slash == buf)
        buf[1] = '\0';
    else
        *slash = '\0';
}

/* An output file must be writable where it goes: its folder exists and takes files, and the
 * path is no folder itself. */
static int check_output(const char *option, const char *path, const char *cmd)
{
    if (!path || strcmp(path, "-") == 0)
        return 0;
    struct stat st;
    char dir[4096];
    parent_of(path, dir, sizeof dir);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return cli_usage_error(cmd, "%s %s: a directory; expected a file to write", option, path);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return cli_usage_error(cmd, "%s %s: no directory %s to write it in", option, path, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return cli_usage_error(cmd, "%s %s: cannot write in %s: %s", option, path, dir,
                               strerror(errno));
    return 0;
}

int cli_run_validate(const struct cli_run *run, const char *cmd)
{
    const struct {
        const char *option, *path;
    } outputs[] = {{"--json", run->json},
                   {"--csv", run->csv},
                   {"--junit", run->junit},
                   {"--prom", run->prom},
                   {"--html", run->html}};
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
        int rc = check_output(outputs[i].option, outputs[i].path, cmd);
        if (rc)
            return rc;
    }
    if (run->verdict.clock_warn_s > run->verdict.clock_fail_s)
        return cli_usage_error(cmd,
                               "--clock-warn %g is above --clock-fail %g: expected the warning "
                               "threshold at or below the failure's",
                               run->verdict.clock_warn_s, run->verdict.clock_fail_s);
    if (run->verdict.cert_fail_days > run->verdict.cert_warn_days)
        return cli_usage_error(cmd,
                               "--cert-fail-days %g is above --cert-warn-days %g: expected the "
                               "failure threshold at or below the warning's",
                               run->verdict.cert_fail_days, run->verdict.cert_warn_days);
    struct stat st;
    if (run->baseline) {
        /* a change pipeline with a typo in the baseline's name must fail, not pass */
        if (stat(run->baseline, &st) != 0)
            return cli_usage_error(cmd, "--baseline %s: %s", run->baseline, strerror(errno));
        if (!S_ISREG(st.st_mode) || access(run->baseline, R_OK) != 0)
            return cli_usage_error(cmd, "--baseline %s: expected a readable JSON report",
                                   run->baseline);
    }
    if (run->history) {
        if (stat(run->history, &st) == 0 && !S_ISDIR(st.st_mode))
            return cli_usage_error(cmd,
                                   "--history %s: not a directory; expected the folder of "
                                   "past reports",
                                   run->history);
        char dir[4096];
        parent_of(run->history, dir, sizeof dir);
        if (stat(run->history, &st) != 0 && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
            return cli_usage_error(cmd, "--history %s: no directory %s to create it in",
                                   run->history, dir);
    }
    return 0;
}

/* Compares with `baseline`; a baseline that cannot be read is a warning, not a failed run. */
static struct dc_diff *diff_with(const struct dc_report *rep, const char *baseline)
{
    struct dc_diag diag = {{0}};
    char *old = NULL;
    size_t old_len = 0;
    struct dc_diff *diff = NULL;
    if (dc_read_file_max(baseline, DC_REPORT_MAX_BYTES, &old, &old_len, &diag) == 0)
        dc_diff_run(old, old_len, baseline, rep, &diff, &diag);
    if (!diff)
        fprintf(stderr, "dmsconn: no comparison with the baseline: %s\n",
                diag.msg[0] ? diag.msg : "out of memory");
    free(old);
    return diff;
}

/* Saves this run as DIR/dmsconn-YYYYMMDDTHHMMSS.mmmZ.json and keeps the last `keep`. */
static bool history_save(const struct dc_report *rep, const char *dir, unsigned keep)
{
    char stamp[32], path[4096];
    struct tm tm;
    dci_os_gmtime(rep->started.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
    snprintf(path, sizeof path, "%s/dmsconn-%s.%03ldZ.json", dir, stamp,
             rep->started.tv_nsec / 1000000);
    if (!write_output(rep, CLI_JSON, path))
        return false;
    size_t n;
    char **names = history_list(dir, &n);
    for (size_t i = 0; i + keep < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    free_list(names, n);
    return true;
}

/* The terminal's width, or $COLUMNS, or 100 when output goes elsewhere. */
static size_t terminal_width(void)
{
    int cols = dci_os_terminal_columns(stdout);
    if (cols > 20)
        return (size_t)cols;
    const char *columns = getenv("COLUMNS");
    long c = columns ? strtol(columns, NULL, 10) : 0;
    return c > 20 && c < 10000 ? (size_t)c : 100;
}

/* Continuous mode: the diff against the previous round, kept in memory. */
static struct dc_diff *diff_with_previous(const struct dc_report *rep, const struct cli_watch *w)
{
    struct dc_diag diag = {{0}};
    struct dc_diff *diff = NULL;
    if (dc_diff_run(w->previous, w->previous_len, "the previous round", rep, &diff, &diag))
        fprintf(stderr, "dmsconn: no comparison with the previous round: %s\n",
                diag.msg[0] ? diag.msg : "out of memory");
    return diff;
}

static size_t changes_of(const struct dc_diff *diff)
{
    return diff ? diff->n : 0;
}

/* Continuous mode's view: on a terminal the whole report redrawn in place (one write, from
 * a buffered stdout: no flicker), headed by the round and the last change; elsewhere (a
 * service's log) a line a round, and what changed when something did. */
static void watch_view(struct dc_report *rep, const struct cli_run *run,
                       const struct dc_text_opts *topts, size_t changes)
{
    struct cli_watch *w = run->watch;
    char when[32] = "none yet", now[32];
    struct tm tm;
    dci_os_gmtime(rep->started.tv_sec, &tm);
    strftime(now, sizeof now, "%H:%M:%S UTC", &tm);
    if (w->last_change.tv_sec) {
        dci_os_gmtime(w->last_change.tv_sec, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    }
    if (w->in_place) {
        fputs("\033[H\033[2J", stdout);
        fprintf(stdout,
                "round %lu at %s, every %g s%s; last change: %s (%zu so far); Ctrl+C stops\n",
                w->round, now, w->every_s, w->interrupted ? " (stopped)" : "", when, w->changes);
        if (w->note[0])
            fprintf(stdout, "note: %s\n", w->note);
        dc_report_text(rep, topts, stdout);
    } else {
        size_t counts[3] = {0, 0, 0};
        for (size_t i = 0; i < rep->plan->ntasks; i++)
            counts[rep->results[i].verdict]++;
        fprintf(stdout, "round %lu at %s: %s (%zu pass, %zu warn, %zu fail), %zu change%s%s\n",
                w->round, now, dc_run_verdict_name(rep->verdict), counts[DC_VERDICT_PASS],
                counts[DC_VERDICT_WARN], counts[DC_VERDICT_FAIL], changes, changes == 1 ? "" : "s",
                w->interrupted ? " (stopped)" : "");
        if (w->note[0])
            fprintf(stdout, "note: %s\n", w->note);
        if (w->round == 1)
            dc_report_text(rep, topts, stdout);
        else if (changes)
            dc_diff_print(rep->diff, "the previous round", false, stdout);
    }
    fflush(stdout);
}

/* Keeps this round's JSON for the next one's diff. */
static void watch_keep(const struct dc_report *rep, struct cli_watch *w, size_t changes)
{
    char *json = dc_report_json(rep);
    free(w->previous);
    w->previous = json;
    w->previous_len = json ? strlen(json) : 0;
    if (changes) {
        w->changes += changes;
        clock_gettime(CLOCK_REALTIME, &w->last_change);
    }
}

/* The round's pages for --metrics: /metrics and the live page, which reloads itself when
 * the next round is due (not faster than every 2 s: a page, not a stream). */
static void publish(struct dc_report *rep, struct cli_watch *w)
{
    size_t prom_len = 0, html_len = 0;
    char *prom = dc_report_prom(rep, &prom_len);
    rep->refresh_s = w->every_s < 2 ? 2 : w->every_s;
    char *html = dc_report_html(rep, &html_len);
    rep->refresh_s = 0;
    if (!prom || !html)
        fprintf(stderr, "dmsconn: out of memory: --metrics serves the previous round's %s\n",
                !prom ? "metrics" : "page");
    dc_metrics_publish(w->server, prom, prom_len, html, html_len);
}

int cli_outputs(struct dc_report *rep, const struct cli_run *run)
{
    int exit_code = (int)rep->verdict;
    char latest[4096] = "";
    struct cli_watch *w = run->watch;
    if (run->history) {
        uv_fs_t req; /* libuv's mkdir: the same call on every platform */
        int made = uv_fs_mkdir(NULL, &req, run->history, 0750, NULL);
        uv_fs_req_cleanup(&req);
        if (made != 0 && made != UV_EEXIST) {
            fprintf(stderr, "dmsconn: --history %s: %s\n", run->history, uv_strerror(made));
            return DC_RUN_UNKNOWN;
        }
        size_t n;
        char **names = history_list(run->history, &n);
        if (n)
            snprintf(latest, sizeof latest, "%s/%s", run->history, names[n - 1]);
        free_list(names, n);
    }
    const char *baseline = run->baseline ? run->baseline : latest[0] ? latest : NULL;
    struct dc_diff *diff = NULL;
    if (w && w->previous) {
        diff = diff_with_previous(rep, w);
        baseline = "the previous round";
    } else if (baseline) {
        diff = diff_with(rep, baseline);
    }
    rep->diff = diff;
    rep->baseline = baseline;
    size_t changes = w && w->previous ? changes_of(diff) : 0;
    if (w && w->counts) /* a long run's counters: --prom's file and /metrics carry them */
        dc_watch_counts_round(w->counts, rep, w->previous ? diff : NULL, rep->started.tv_sec);

    const char *files[] = {[CLI_JSON] = run->json,
                           [CLI_CSV] = run->csv,
                           [CLI_JUNIT] = run->junit,
                           [CLI_PROM] = run->prom,
                           [CLI_HTML] = run->html};
    bool stdout_taken = run->format != CLI_TEXT;
    for (int f = CLI_JSON; f <= CLI_HTML; f++) {
        if (!files[f])
            continue;
        stdout_taken |= strcmp(files[f], "-") == 0;
        if (!write_output(rep, (enum cli_format)f, files[f]))
            exit_code = DC_RUN_UNKNOWN;
    }
    /* continuous mode keeps the rounds that changed something, and the first */
    bool keep_round = !w || !w->previous || changes > 0;
    if (run->history && keep_round && !history_save(rep, run->history, run->keep))
        exit_code = DC_RUN_UNKNOWN;
    if (run->format != CLI_TEXT && run->format != CLI_NONE && !write_output(rep, run->format, "-"))
        exit_code = DC_RUN_UNKNOWN;
    if (!run->quiet && !stdout_taken) {
        struct dc_text_opts topts = {
            .color = !run->no_color && dci_os_is_terminal(stdout) && !getenv("NO_COLOR"),
            .all = run->all,
            .width = terminal_width(),
        };
        if (w)
            watch_view(rep, run, &topts, changes);
        else
            dc_report_text(rep, &topts, stdout);
        fflush(stdout);
    }
    if (w && w->server)
        publish(rep, w);
    if (w)
        watch_keep(rep, w, changes);
    rep->diff = NULL;
    rep->watch = NULL;
    dc_diff_free(diff);
    return exit_code;
}
