#include "schema.h"
#include "lab.h"

#include <libxml/parser.h>
#include <string.h>

struct rattr {
	char *name;
	bool required;
	GPtrArray *values;   /* <choice> of <value>s, or NULL */
	char *pattern;       /* <param name="pattern">, or NULL */
	char *type;          /* <data type=...>, or NULL */
	char *def;           /* the <define> it came from (ident, vidlist...), or NULL */
};

struct relem {
	GPtrArray *attrs;    /* struct rattr * */
};

struct walk {
	GHashTable *defines; /* name -> xmlNode <define> */
	GHashTable *elems;   /* "parent/child" -> struct relem */
	int depth;
};

static char *prop(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s = v ? g_strdup((const char *)v) : NULL;
	xmlFree(v);
	return s;
}

static bool is(xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* What an attribute's content allows: values, pattern, type (refs followed). */
static void attr_content(struct walk *w, xmlNode *n, struct rattr *a)
{
	for (xmlNode *c = n->children; c && w->depth < 32; c = c->next) {
		if (is(c, "ref")) {
			g_autofree char *name = prop(c, "name");
			xmlNode *d = name ? g_hash_table_lookup(w->defines, name) : NULL;
			if (d) {
				if (!a->def)
					a->def = g_strdup(name);
				w->depth++;
				attr_content(w, d, a);
				w->depth--;
			}
		} else if (is(c, "choice")) {
			attr_content(w, c, a);
		} else if (is(c, "value")) {
			if (!a->values)
				a->values = g_ptr_array_new_with_free_func(g_free);
			xmlChar *t = xmlNodeGetContent(c);
			g_ptr_array_add(a->values, g_strdup((const char *)t));
			xmlFree(t);
		} else if (is(c, "data")) {
			a->type = prop(c, "type");
			for (xmlNode *p = c->children; p; p = p->next)
				if (is(p, "param")) {
					xmlChar *t = xmlNodeGetContent(p);
					a->pattern = g_strdup((const char *)t);
					xmlFree(t);
				}
		}
	}
}

static void walk(struct walk *w, xmlNode *n, const char *parent, struct relem *cur, bool required)
{
	for (xmlNode *c = n; c && w->depth < 32; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is(c, "element")) {
			g_autofree char *name = prop(c, "name");
			char *key = g_strdup_printf("%s/%s", parent, name ? name : "?");
			struct relem *e = g_hash_table_lookup(w->elems, key);
			if (!e) {
				e = g_new0(struct relem, 1);
				e->attrs = g_ptr_array_new();
				g_hash_table_insert(w->elems, key, e);
			} else {
				g_free(key);
			}
			w->depth++;
			walk(w, c->children, name ? name : "?", e, true);
			w->depth--;
		} else if (is(c, "attribute") && cur) {
			struct rattr *a = g_new0(struct rattr, 1);
			a->name = prop(c, "name");
			a->required = required;
			attr_content(w, c, a);
			g_ptr_array_add(cur->attrs, a);
		} else if (is(c, "ref")) {
			g_autofree char *name = prop(c, "name");
			xmlNode *d = name ? g_hash_table_lookup(w->defines, name) : NULL;
			if (d) {
				w->depth++;
				walk(w, d->children, parent, cur, required);
				w->depth--;
			}
		} else if (is(c, "optional") || is(c, "zeroOrMore") || is(c, "choice")) {
			walk(w, c->children, parent, cur, false);
		} else if (!is(c, "define")) { /* start, interleave, group, oneOrMore, grammar */
			walk(w, c->children, parent, cur, required);
		}
	}
}

static void free_elem(gpointer p)
{
	struct relem *e = p;
	for (guint i = 0; i < e->attrs->len; i++) {
		struct rattr *a = g_ptr_array_index(e->attrs, i);
		g_free(a->name), g_free(a->pattern), g_free(a->type), g_free(a->def);
		if (a->values)
			g_ptr_array_free(a->values, TRUE);
		g_free(a);
	}
	g_ptr_array_free(e->attrs, TRUE);
	g_free(e);
}

/* Why `v` is not allowed for `a`, NULL if it is. */
static char *value_error(const struct rattr *a, const char *v)
{
	if (a->values) {
		for (guint i = 0; i < a->values->len; i++)
			if (!strcmp(v, g_ptr_array_index(a->values, i)))
				return NULL;
		GString *list = g_string_new(NULL);
		for (guint i = 0; i < a->values->len; i++)
			g_string_append_printf(list, "%s%s", i ? " or " : "", (char *)g_ptr_array_index(a->values, i));
		char *msg = g_strdup_printf("expected %s", list->str);
		g_string_free(list, TRUE);
		return msg;
	}
	if (a->type && (!strcmp(a->type, "positiveInteger") || !strcmp(a->type, "nonNegativeInteger"))) {
		bool digits = *v != '\0';
		for (const char *p = v; *p; p++)
			digits &= g_ascii_isdigit(*p);
		if (!digits || (!strcmp(a->type, "positiveInteger") && g_ascii_strtoull(v, NULL, 10) == 0))
			return g_strdup_printf("expected a whole number %s", !strcmp(a->type, "positiveInteger") ? "> 0" : ">= 0");
	}
	if (a->pattern) {
		g_autofree char *anchored = g_strdup_printf("^(?:%s)$", a->pattern);
		if (g_regex_match_simple(anchored, v, 0, 0))
			return NULL;
		if (a->def && !strcmp(a->def, "ident")) {
			size_t n = strlen(v);
			if (n > 15)
				return g_strdup_printf("%zu characters, at most 15 (%s)", n, LAB_NAME_RULE);
			return g_strdup_printf("expected %s", LAB_NAME_RULE);
		}
		if (a->def && !strcmp(a->def, "vidlist"))
			return g_strdup("expected VLAN ids separated by commas, like 10,20");
		return g_strdup_printf("expected a value matching %s", a->pattern);
	}
	return NULL;
}

static unsigned check(GHashTable *elems, xmlNode *n, const char *parent, const char *path, GPtrArray *errors)
{
	unsigned count = 0;
	for (xmlNode *c = n; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)c->name;
		g_autofree char *key = g_strdup_printf("%s/%s", parent, name);
		struct relem *e = g_hash_table_lookup(elems, key);
		int line = (int)xmlGetLineNo(c);
		if (e) {
			for (xmlAttr *at = c->properties; at; at = at->next) {
				const char *an = (const char *)at->name;
				const struct rattr *a = NULL;
				for (guint i = 0; i < e->attrs->len; i++)
					if (!strcmp(((struct rattr *)g_ptr_array_index(e->attrs, i))->name, an))
						a = g_ptr_array_index(e->attrs, i);
				xmlChar *val = xmlNodeListGetString(c->doc, at->children, 1);
				const char *v = val ? (const char *)val : "";
				if (!a) {
					GString *allowed = g_string_new(NULL);
					for (guint i = 0; i < e->attrs->len; i++)
						g_string_append_printf(allowed, "%s%s", i ? ", " : "",
								       ((struct rattr *)g_ptr_array_index(e->attrs, i))->name);
					g_ptr_array_add(errors, g_strdup_printf("%s:%d: <%s>: unknown attribute \"%s\" (allowed: %s)", path,
										line, name, an, allowed->len ? allowed->str : "none"));
					g_string_free(allowed, TRUE);
					count++;
				} else {
					g_autofree char *why = value_error(a, v);
					if (why) {
						g_ptr_array_add(errors, g_strdup_printf("%s:%d: <%s> %s=\"%s\": %s", path, line, name, an, v, why));
						count++;
					}
				}
				xmlFree(val);
			}
			for (guint i = 0; i < e->attrs->len; i++) {
				const struct rattr *a = g_ptr_array_index(e->attrs, i);
				if (a->required && !xmlHasProp(c, (const xmlChar *)a->name)) {
					g_ptr_array_add(errors, g_strdup_printf("%s:%d: <%s>: attribute \"%s\" is required", path, line,
										name, a->name));
					count++;
				}
			}
		}
		count += check(elems, c->children, name, path, errors);
	}
	return count;
}

unsigned schema_check_attributes(const char *rng_text, xmlDocPtr doc, const char *path, GPtrArray *errors)
{
	xmlDocPtr rng = xmlReadMemory(rng_text, (int)strlen(rng_text), "lab.rng", NULL, XML_PARSE_NONET);
	if (!rng)
		return 0;
	struct walk w = { g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
			  g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_elem), 0 };
	xmlNode *root = xmlDocGetRootElement(rng);
	for (xmlNode *c = root ? root->children : NULL; c; c = c->next)
		if (is(c, "define")) {
			char *name = prop(c, "name");
			if (name)
				g_hash_table_insert(w.defines, name, c);
		}
	for (xmlNode *c = root ? root->children : NULL; c; c = c->next)
		if (is(c, "start"))
			walk(&w, c->children, "", NULL, true);
	unsigned n = check(w.elems, xmlDocGetRootElement(doc), "", path, errors);
	g_hash_table_destroy(w.defines);
	g_hash_table_destroy(w.elems);
	xmlFreeDoc(rng);
	return n;
}
