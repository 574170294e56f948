/* Shared by the Windows OS layer's files (os_windows.c, os_windows_service.c) only. */
#ifndef DMSCONN_OS_WINDOWS_H
#define DMSCONN_OS_WINDOWS_H

#include <windows.h>

#include <stddef.h>

/* A Windows error's text and number, into why. */
void dci_os_win_error(DWORD err, char *why, size_t cap);

/* The stop dci_os_stop_wait waits for: `kind` is the console event (CTRL_C_EVENT...) or
 * DCI_STOP_BY_SERVICE; a negative kind only makes sure the event exists. */
#define DCI_STOP_BY_SERVICE 1000
void dci_os_win_stop(long kind);

#endif
