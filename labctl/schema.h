/* schema.h - clear messages for attribute errors, from labs/lab.rng itself.
 *
 * libxml2's RELAX NG validator says "Element lab failed to validate
 * attributes" without naming the attribute or what it may be. This walks
 * the schema (the same compiled-in text the validator uses, following its
 * <ref>s) into a table of each element's attributes - required or not, and
 * their allowed values (a <choice>, a pattern, an integer type) - and checks
 * a lab document's attributes against it, so every message names the
 * element, the attribute, its value and what is allowed.
 */
#ifndef LABCTL_SCHEMA_H
#define LABCTL_SCHEMA_H

#include <glib.h>
#include <libxml/tree.h>

/* Check every attribute of `doc` against the schema `rng_text`; append
 * "PATH:LINE: message" strings to errors. Returns how many it appended. */
unsigned schema_check_attributes(const char *rng_text, xmlDocPtr doc, const char *path, GPtrArray *errors);

#endif
