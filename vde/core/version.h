/* version.h - the version every vdelab program reports with --version. */
#ifndef VDE_CORE_VERSION_H
#define VDE_CORE_VERSION_H

#define VDELAB_VERSION "0.1"

#endif
