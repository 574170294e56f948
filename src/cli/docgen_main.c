/* dmsconn-docgen: writes the manual page or the bash completion from the option table at
 * build time (CMake runs it; it is not installed).
 * Usage: dmsconn-docgen man VERSION DATE > dmsconn.1
 *        dmsconn-docgen bash-completion > dmsconn.bash-completion */
#include "cli_docs.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "man") == 0)
        cli_docs_man(stdout, argv[2], argv[3]);
    else if (argc == 2 && strcmp(argv[1], "bash-completion") == 0)
        cli_docs_bash_completion(stdout);
    else {
        fprintf(stderr, "usage: dmsconn-docgen man VERSION DATE | bash-completion\n");
        return 2;
    }
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
