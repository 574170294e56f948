/* What differs between the platforms dmsconn runs on, in one place (the engine, the probes
 * and the readers never test for a platform themselves). */
#ifndef DMSCONN_OS_H
#define DMSCONN_OS_H

/* DataMiner's folder on this machine when it is a DataMiner Agent (Windows), else NULL: on
 * Linux there is no default, the folder is always named. */
static inline const char *dc_os_dataminer_dir_default(void)
{
#ifdef _WIN32
    return "C:\\Skyline DataMiner";
#else
    return (const char *)0;
#endif
}

#endif
