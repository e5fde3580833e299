/*
 * The registry: the engines of engines.inc and the object-type table made
 * from them (the request containers first, then each engine's objects).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>

#include "attest/checks.h"
#include "attest/engine.h"
#include "attest/cmw.h"
#include "attest/registry.h"
#include "attest/oids.h"
#include "verify_int.h"

#define ATTEST_ENGINE(n) extern const attest_engine attest_engine_##n;
#include "engines.inc"
#ifdef ATTEST_EXTRA_ENGINES
#include ATTEST_EXTRA_ENGINES
#endif
#undef ATTEST_ENGINE

static const attest_engine *const engines[] = {
#define ATTEST_ENGINE(n) &attest_engine_##n,
#include "engines.inc"
#ifdef ATTEST_EXTRA_ENGINES
#include ATTEST_EXTRA_ENGINES
#endif
#undef ATTEST_ENGINE
};
#define N_ENGINES (sizeof(engines) / sizeof(engines[0]))

#define MAX_OBJECTS ATTEST_MAX_OBJECT_TYPES
static struct {
    const attest_object_type *type;
    const attest_engine *engine;
} table[MAX_OBJECTS];
static size_t n_table;
static CRYPTO_ONCE table_once = CRYPTO_ONCE_STATIC_INIT;

static void table_build(void)
{
    size_t i, j, n_containers;
    const attest_object_type *containers = attest_container_objects(&n_containers);

    for (i = 0; i < n_containers && n_table < MAX_OBJECTS; i++)
        table[n_table++].type = &containers[i];
    for (i = 0; i < N_ENGINES; i++)
        for (j = 0; j < engines[i]->n_objects && n_table < MAX_OBJECTS; j++) {
            table[n_table].type = &engines[i]->objects[j];
            table[n_table++].engine = engines[i];
        }
}

/* If OpenSSL's once cannot run (it cannot fail with pthreads), the table stays empty: nothing is detected. */
static void table_ready(void)
{
    (void)CRYPTO_THREAD_run_once(&table_once, table_build);
}

size_t attest_object_count(void)
{
    table_ready();
    return n_table;
}

const attest_object_type *attest_object_at(attest_datatype dt)
{
    table_ready();
    return dt >= 0 && (size_t)dt < n_table ? table[dt].type : NULL;
}

const attest_engine *attest_object_engine(attest_datatype dt)
{
    table_ready();
    return dt >= 0 && (size_t)dt < n_table ? table[dt].engine : NULL;
}

attest_datatype attest_object_find(const char *name)
{
    size_t i;

    table_ready();
    for (i = 0; name != NULL && i < n_table; i++)
        if (strcasecmp(name, table[i].type->name) == 0 || strcasecmp(name, table[i].type->alias) == 0)
            return (attest_datatype)i;
    return ATTEST_DT_NONE;
}

attest_datatype attest_object_by_pem(const char *label)
{
    size_t i;

    table_ready();
    if (label != NULL && strcmp(label, "NEW CERTIFICATE REQUEST") == 0)
        return ATTEST_DT_CSR; /* the label of older request tools */
    for (i = 0; label != NULL && i < n_table; i++)
        if (table[i].type->pem != NULL && strcmp(label, table[i].type->pem) == 0)
            return (attest_datatype)i;
    return ATTEST_DT_NONE;
}

const char *attest_object_names(int aliases, const char *sep)
{
    static char bufs[2][1024]; /* for usage text and --help: start-up only, not for threads */
    char *buf = bufs[aliases ? 1 : 0];
    size_t i, used = 0;

    table_ready();
    buf[0] = '\0';
    for (i = 0; i < n_table; i++) {
        int n = snprintf(buf + used, sizeof(bufs[0]) - used, "%s%s", i ? sep : "",
                         aliases ? table[i].type->alias : table[i].type->name);

        if (n < 0 || (size_t)n >= sizeof(bufs[0]) - used)
            break;
        used += (size_t)n;
    }
    return buf;
}

const char *attest_datatype_name(attest_datatype dt)
{
    const attest_object_type *t = attest_object_at(dt);

    return t != NULL ? t->name : NULL;
}

const char *attest_datatype_pem_label(attest_datatype dt)
{
    const attest_object_type *t = attest_object_at(dt);

    return t != NULL ? t->pem : NULL;
}

int attest_datatype_is_asn1(attest_datatype dt)
{
    const attest_object_type *t = attest_object_at(dt);

    return t != NULL && t->asn1;
}

attest_datatype attest_datatype_from_name(const char *name)
{
    return attest_object_find(name);
}

size_t attest_engine_count(void)
{
    return N_ENGINES;
}

const attest_engine *attest_engine_at(size_t i)
{
    return i < N_ENGINES ? engines[i] : NULL;
}

const attest_engine *attest_engine_for_type(const ASN1_OBJECT *type)
{
    int id = attest_oid_find(type);
    char dotted[96];
    size_t i, j;

    for (i = 0; id >= 0 && i < N_ENGINES; i++)
        for (j = 0; j < engines[i]->n_oids; j++)
            if (engines[i]->oids[j] == id)
                return engines[i];
    if (id >= 0 || type == NULL || OBJ_obj2txt(dotted, sizeof(dotted), type, 1) <= 0)
        return NULL;
    for (i = 0; i < N_ENGINES; i++)
        if (engines[i]->oid_text != NULL && strcmp(engines[i]->oid_text, dotted) == 0)
            return engines[i];
    return NULL;
}

const attest_engine *attest_engine_for_media_type(const char *media_type)
{
    size_t i;

    for (i = 0; media_type != NULL && i < N_ENGINES; i++)
        if (engines[i]->cmw_type != NULL && strcmp(engines[i]->cmw_type, media_type) == 0)
            return engines[i];
    return NULL;
}

/* A CMW statement is judged by the engine of its media type, when one has it. */
const attest_engine *attest_engine_for_statement(const attest_statement *st)
{
    const attest_engine *e = attest_engine_for_type(st->type);
    const attest_engine *inner;
    char *media = NULL;
    attest_err err;

    if (e == NULL || e->verify != NULL || e->oids == NULL)
        return e;
    /* The media type picks the engine; the engine decodes the value itself. */
    if (attest_cmw_record_decode(st->stmt, st->stmt_len, &media, NULL, NULL, &err) != 0)
        return e;
    inner = attest_engine_for_media_type(media);
    OPENSSL_free(media);
    return inner != NULL ? inner : e;
}

const attest_engine *attest_engine_by_kind(const char *kind)
{
    size_t i;

    for (i = 0; kind != NULL && i < N_ENGINES; i++)
        if (strcmp(engines[i]->kind, kind) == 0)
            return engines[i];
    return NULL;
}

const char *attest_engine_name(const attest_engine *e)
{
    return e != NULL ? e->name : NULL;
}

const char *attest_engine_kind(const attest_engine *e)
{
    return e != NULL ? e->kind : "other";
}

/* The core table up to and including the chain checks, then the engines', then the rest of it. */
void attest_check_docs(int (*fn)(void *arg, const char *id, const char *what), void *arg)
{
    size_t n, i, j, k;
    const attest_check_doc *core = attest_check_table(&n);

    for (i = 0; i < n && strncmp(core[i].id, "policy.", 7) != 0 && strncmp(core[i].id, "limits.", 7) != 0
         && strncmp(core[i].id, "nonce.", 6) != 0;
         i++)
        if (fn(arg, core[i].id, core[i].what))
            return;
    for (j = 0; j < N_ENGINES; j++)
        for (k = 0; k < engines[j]->n_checks; k++)
            if (engines[j]->checks[k].what != NULL && fn(arg, engines[j]->checks[k].id, engines[j]->checks[k].what))
                return;
    for (; i < n; i++)
        if (fn(arg, core[i].id, core[i].what))
            return;
}
